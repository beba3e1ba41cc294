//! Text from outside made safe to show: what a server (or a file) wrote may carry terminal
//! escape sequences (colours, cursor moves, a new window title, a hyperlink, a rewritten
//! line) or characters that reorder what follows (bidi overrides). [`printable`] removes
//! them, so a terminal prints and a window shows only the text itself.
//!
//! The parsing follows ECMA-48: an escape sequence is removed whole (not only its `ESC`,
//! which would leave `[31m` behind), a control string (OSC, DCS, SOS, PM, APC) up to its
//! terminator. Written here rather than taken from a crate: the ones that strip ANSI
//! sequences keep the other control characters (and C1 controls, which some terminals
//! obey too), and this is one loop over the characters.

use std::borrow::Cow;

const ESC: char = '\u{1b}';
const BEL: char = '\u{7}';
/// C1 String Terminator.
const ST: char = '\u{9c}';
/// C1 Control Sequence Introducer (ESC `[`).
const CSI: char = '\u{9b}';

/// Characters that change the direction of the text after them (embeddings, overrides,
/// isolates): shown, they make text read otherwise than it is.
fn reorders(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` is removed outside a sequence: every control character but line feed and tab,
/// and the bidi controls.
fn removed(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || reorders(c)
}

/// `text` without escape sequences, control strings, control characters (line feeds and tabs
/// stay) or bidi controls. Borrowed when there was nothing to remove.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(removed) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // A control right after ESC starts over (ESC ESC [ ... is one sequence).
            ESC if chars.peek().is_some_and(|next| removed(*next)) => {}
            ESC => match chars.next() {
                Some('[') => skip_control_sequence(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_control_string(&mut chars),
                // nF sequences: intermediates, then one final character.
                Some('\u{20}'..='\u{2f}') => {
                    while chars.next_if(|c| ('\u{20}'..='\u{2f}').contains(c)).is_some() {}
                    chars.next_if(|c| ('\u{30}'..='\u{7e}').contains(c));
                }
                // Two-character sequences (ESC c, ESC 7, ...) are gone with their second
                // character; anything else is shown after the removed ESC.
                Some('\u{30}'..='\u{7e}') | None => {}
                Some(other) => out.push(other),
            },
            CSI => skip_control_sequence(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_control_string(&mut chars),
            c if removed(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`printable`] for an owned `text` (returned as it is when there was nothing to remove):
/// what a view or a message built from a server's text holds.
pub fn clean(text: String) -> String {
    match printable(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(clean) => clean,
    }
}

/// JSON text with every character a terminal acts on written as a `\uXXXX` escape: the same
/// JSON value, safe to print. `serde_json` escapes C0 controls itself but writes C1 controls
/// (U+009B is a CSI to some terminals) and bidi controls raw. Outside strings JSON text has
/// none of these, so only string contents change.
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    if !json.chars().any(removed) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if removed(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// After a CSI: parameter and intermediate bytes, then the final byte. A character that
/// cannot be part of the sequence ends it and is read again.
fn skip_control_sequence(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.next_if(|c| ('\u{20}'..='\u{3f}').contains(c)).is_some() {}
    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
}

/// After OSC, DCS, SOS, PM or APC: everything up to BEL, ESC `\` or ST.
fn skip_control_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | ST => return,
            ESC => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_for_a_terminal_is_the_same_value_without_raw_controls() {
        let value = serde_json::json!({"name": "\u{1b}[31mred\u{9b}2J\u{202e}txt.exe", "n": 1});
        let raw = serde_json::to_string(&value).unwrap_or_default();
        assert!(raw.contains('\u{9b}') && raw.contains('\u{202e}'), "serde_json leaves them raw");
        let safe = json_for_terminal(&raw);
        assert!(!safe.chars().any(removed), "{safe}");
        assert!(safe.contains("\\u009b") && safe.contains("\\u202e"), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back, value);
        assert!(matches!(json_for_terminal("{\"a\": 1}"), Cow::Borrowed(_)));
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(printable("Grüße, 東京\tline\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_go_whole() {
        assert_eq!(printable("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(printable("\u{1b}[2J\u{1b}[1;1Hcleared"), "cleared");
        assert_eq!(printable("\u{1b}]0;owned\u{7}title"), "title");
        assert_eq!(printable("\u{1b}]8;;http://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\"), "link");
        assert_eq!(printable("\u{1b}Pq#0;2;0;0;0\u{1b}\\after"), "after");
        assert_eq!(printable("\u{1b}creset"), "reset");
        assert_eq!(printable("\u{1b}(Bcharset"), "charset");
        assert_eq!(printable("\u{9b}31mC1\u{9b}0m"), "C1");
        assert_eq!(printable("\u{9d}0;t\u{9c}osc"), "osc");
        assert_eq!(printable("cut\u{1b}["), "cut");
        assert_eq!(printable("cut\u{1b}]never ends"), "cut");
    }

    #[test]
    fn other_controls_go_and_lines_stay() {
        assert_eq!(printable("ok\rforged\u{8}\u{7}\u{0}\u{7f}"), "okforged");
        assert_eq!(printable("a\nb\tc"), "a\nb\tc");
        assert_eq!(printable("\u{202e}txt.exe\u{202c} \u{2066}x\u{2069}"), "txt.exe x");
        assert_eq!(printable("\u{1b}\u{1b}[1mbold"), "bold");
    }
}
