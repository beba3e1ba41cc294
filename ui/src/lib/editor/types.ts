import type { Edit } from "../backend/ipc";

/** How editor components hand an edit to the editor store. */
export type EditEntryPoint = (edit: Edit) => void;
