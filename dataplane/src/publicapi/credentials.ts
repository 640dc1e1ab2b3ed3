import type { Context } from 'koa';

/** The API key a caller presents: `X-API-Key`, else `Authorization: Bearer <key>`. */
export function presentedKey(ctx: Context): string | undefined {
  const header = ctx.get('x-api-key').trim();
  if (header) return header;
  const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
  return bearer?.[1];
}
