import type { Suggestion } from "../../core/autocomplete.ts";
import { clip } from "./text.ts";

/**
 * Core's suggestions (src/core/autocomplete.ts) as Discord autocomplete choices: at most 25, names
 * of at most 100 characters, and only values Discord accepts (1 to 100 characters).
 */

export interface Choice {
  name: string;
  value: string;
}

const MAX_CHOICES = 25;
const MAX_LENGTH = 100;

export function toChoices(suggestions: readonly Suggestion[]): Choice[] {
  return suggestions
    .filter((s) => s.value.length > 0 && s.value.length <= MAX_LENGTH)
    .slice(0, MAX_CHOICES)
    .map((s) => ({ name: clip(s.label, MAX_LENGTH), value: s.value }));
}
