/** A condition reason (CamelCase) from an error's stable code (`tenant_not_ready` → `TenantNotReady`). */
export function reasonOf(code: string): string {
  return code
    .split(/[_-]/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
