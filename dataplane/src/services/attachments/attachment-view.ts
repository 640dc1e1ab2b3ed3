/** An attachment as the API shows it, and exactly what an attachment cell holds for it. */
export interface AttachmentView {
  id: string;
  name: string;
  size: number;
  mimeType: string;
}

/** A row of the workspace schema's `attachments`, as knex returns it. */
export interface AttachmentRow {
  id: string;
  /** The table whose cells may name it; null for a saved template's copy (ADR 0014). */
  table_id: string | null;
  template_id: string | null;
  column_id: string | null;
  name: string;
  mime_type: string;
  size: number;
  sha256: string;
  storage: 'postgres' | 's3';
  storage_key: string | null;
  created_by: string | null;
  created_at: Date;
}

export const toAttachmentView = (
  row: Pick<AttachmentRow, 'id' | 'name' | 'size' | 'mime_type'>,
): AttachmentView => ({
  id: row.id,
  name: row.name,
  size: Number(row.size),
  mimeType: row.mime_type,
});
