import type { MiniDb, User } from './minidb-fixture.js';

export interface Upload {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface Download {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

/** POSTs raw bytes (or a stream of pieces, sent chunked with no Content-Length) as an upload. */
export async function upload(
  db: MiniDb,
  user: User,
  tableId: string,
  content: Buffer | Buffer[],
  options: { query?: string; headers?: Record<string, string> } = {},
): Promise<Upload> {
  const body = Array.isArray(content)
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          for (const piece of content) controller.enqueue(new Uint8Array(piece));
          controller.close();
        },
      })
    : content;
  const res = await fetch(`${db.app.url}/api/v1/tables/${tableId}/attachments${options.query ?? ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}`, ...options.headers },
    body,
    duplex: 'half',
  } as RequestInit);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function download(db: MiniDb, user: User, id: string): Promise<Download> {
  const res = await fetch(`${db.app.url}/api/v1/attachments/${id}`, {
    headers: { authorization: `Bearer ${user.accessToken}` },
  });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** How many rows `table` of the workspace schema holds (optionally matching `where`). */
export async function count(db: MiniDb, table: string, where: Record<string, unknown> = {}): Promise<number> {
  const [row] = await db.app.dataplane
    .knex(`${db.schema}.${table}`)
    .where(where)
    .count<{ n: number }[]>('* as n');
  return Number(row?.n);
}
