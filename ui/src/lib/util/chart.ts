// Geometry of the "due per period" bar chart. Values are decimal strings from the backend;
// the chart converts them to numbers only to draw, never to compute money.

export interface Bar {
  index: number;
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
}

export interface ChartGeometry {
  bars: Bar[];
  max: number;
  /** Y positions and values of the horizontal grid lines. */
  ticks: { y: number; value: number }[];
}

/** A round number at or above `value` for the axis (1, 2, 5 × 10^n). */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

export function barChart(
  values: readonly string[],
  width: number,
  height: number,
  gap = 2,
): ChartGeometry {
  const numbers = values.map((v) => {
    const n = Number(v);
    return Number.isFinite(n) && n > 0 ? n : 0;
  });
  const max = niceCeiling(Math.max(0, ...numbers));
  const slot = numbers.length > 0 ? width / numbers.length : width;
  const barWidth = Math.max(1, slot - gap);
  const bars = numbers.map((n, i) => {
    const h = (n / max) * height;
    return {
      index: i + 1,
      x: i * slot + gap / 2,
      y: height - h,
      width: barWidth,
      height: h,
      label: values[i] ?? "0",
    };
  });
  const ticks = [0, 0.5, 1].map((f) => ({ y: height - f * height, value: max * f }));
  return { bars, max, ticks };
}
