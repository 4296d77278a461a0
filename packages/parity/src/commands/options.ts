/** commander's accumulator for a repeatable option (`--golden a --golden b` → ['a', 'b']). */
export const collect = (value: string, previous: string[] = []) => [...previous, value];
