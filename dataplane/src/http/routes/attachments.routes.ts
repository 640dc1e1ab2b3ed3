import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { Context } from 'koa';
import { BadRequestError } from '../../platform/errors.js';
import type { AttachmentsService } from '../../services/attachments/attachments.service.js';
import { attachmentDisposition, fileNameIn } from '../content-disposition.js';
import { Problem } from '../problem.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { AttachmentView, FileContent, UploadQuery } from '../schemas/attachment.schema.js';
import { IdParams } from '../schemas/base.schema.js';

/**
 * The request body as a stream of its own: the service may destroy it (413 midway) without
 * destroying the socket the answer goes out on, and a client that hangs up fails it with a 400
 * (nobody reads that answer, but it is no server error either).
 */
function uploadBody(req: IncomingMessage): Readable {
  const body = new PassThrough();
  const cut = () =>
    body.destroy(new BadRequestError('The upload ended before its body was complete', 'upload_incomplete'));
  req.on('error', cut);
  req.on('close', () => {
    if (!req.complete) cut();
  });
  return req.pipe(body);
}

/** `?name=`, else `X-File-Name` (percent-encoded UTF-8), else Content-Disposition's filename. */
function uploadName(ctx: Context, query: { name?: string | undefined }): string | undefined {
  if (query.name !== undefined) return query.name;
  const header = ctx.get('x-file-name');
  if (header) {
    try {
      return decodeURIComponent(header);
    } catch {
      return header;
    }
  }
  const disposition = ctx.get('content-disposition');
  return disposition ? fileNameIn(disposition) : undefined;
}

export function attachmentRoutes(attachments: AttachmentsService): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/tables/:id/attachments',
      summary:
        'Upload a file for attachment cells of the table: the raw bytes as the body, its type as ' +
        'Content-Type, its name as ?name=, X-File-Name or Content-Disposition',
      tag: 'attachments',
      scope: 'workspace',
      permission: 'data:write',
      resourceParam: 'id',
      params: IdParams,
      query: UploadQuery,
      rawBody: { mediaType: 'application/octet-stream', description: 'the file, with any Content-Type' },
      responses: {
        201: AttachmentView,
        400: Problem,
        403: Problem,
        404: Problem,
        413: Problem,
        422: Problem,
      },
      handler: async ({ access, auth, params, query, ctx }) => {
        try {
          const attachment = await attachments.upload(access, auth.userId, params.id, {
            body: uploadBody(ctx.req),
            name: uploadName(ctx, query),
            mimeType: ctx.get('content-type') || undefined,
            declaredSize: ctx.request.length,
            columnId: query.columnId,
          });
          return { status: 201, body: attachment };
        } catch (error) {
          // Bytes left unread would be taken for the next request: close after answering.
          if (!ctx.req.complete) ctx.set('Connection', 'close');
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/attachments/:id',
      summary: 'Download a file, streamed with its type and name',
      tag: 'attachments',
      scope: 'workspace',
      permission: 'data:read',
      resourceParam: 'id',
      params: IdParams,
      responses: { 200: FileContent, 404: Problem },
      handler: async ({ access, params }) => {
        const { attachment, content } = await attachments.download(access, params.id);
        return {
          body: content,
          headers: {
            'Content-Type': attachment.mimeType,
            'Content-Length': String(attachment.size),
            'Content-Disposition': attachmentDisposition(attachment.name),
            'X-Content-Type-Options': 'nosniff',
            // Even opened directly, an uploaded page runs no script and loads nothing.
            'Content-Security-Policy': "default-src 'none'; sandbox",
            'Cache-Control': 'private, no-cache',
          },
        };
      },
    }),
  ];
}
