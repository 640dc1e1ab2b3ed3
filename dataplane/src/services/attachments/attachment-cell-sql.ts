/**
 * The descriptors of attachment cell `cell` (a quoted column reference) as a set-returning SQL
 * expression, one jsonb object per file: none for NULL, and none for anything but an array,
 * which the attachment encoder never writes but a scan must not fail on.
 */
export const cellDescriptorsSql = (cell: string): string =>
  `jsonb_array_elements(CASE WHEN jsonb_typeof(${cell}) = 'array' THEN ${cell} END)`;
