import type { FieldsInput } from '../rows/row-values.js';
import type { ColumnSpec } from '../tables/column-spec.js';

/** A base as a recipe: its tables, their columns and (optionally) starting rows by column name. */
export interface TemplateDefinition {
  name: string;
  description?: string | null;
  color?: string | null;
  icon?: string | null;
  tables: {
    name: string;
    description?: string | null;
    columns: ColumnSpec[];
    rows?: FieldsInput[];
  }[];
}

export interface TemplateSummary {
  id: string;
  name: string;
  description: string | null;
  builtIn: boolean;
  tables: string[];
}

/** Built-in templates; ids are stable names. Saved templates have UUIDs. */
export const BUILT_IN_TEMPLATES: Record<string, TemplateDefinition> = {
  'project-tracker': {
    name: 'Project tracker',
    description: 'Projects and their tasks, with status, owner, due date and estimates.',
    color: 'blue',
    icon: 'check-square',
    tables: [
      {
        name: 'Tasks',
        columns: [
          { name: 'Title', type: 'text', required: true },
          {
            name: 'Status',
            type: 'singleSelect',
            options: { choices: ['Todo', 'In progress', 'Done'] },
            default: 'Todo',
          },
          { name: 'Priority', type: 'singleSelect', options: { choices: ['Low', 'Medium', 'High'] } },
          { name: 'Owner', type: 'user' },
          { name: 'Due', type: 'date' },
          { name: 'Estimate (h)', type: 'decimal', options: { precision: 1 } },
          { name: 'Notes', type: 'longText' },
          { name: 'Number', type: 'autoNumber' },
          { name: 'Created', type: 'createdTime' },
        ],
        rows: [
          { Title: 'Write the brief', Status: 'Done', Priority: 'High', 'Estimate (h)': 2 },
          { Title: 'Review the plan', Status: 'In progress', Priority: 'Medium', 'Estimate (h)': 1.5 },
          { Title: 'Ship it', Status: 'Todo', Priority: 'High', 'Estimate (h)': 4 },
        ],
      },
      {
        name: 'Milestones',
        columns: [
          { name: 'Name', type: 'text', required: true },
          { name: 'Date', type: 'date' },
          { name: 'Reached', type: 'boolean', default: false },
        ],
      },
    ],
  },
  crm: {
    name: 'CRM',
    description: 'Companies, contacts and deals through a sales pipeline.',
    color: 'green',
    icon: 'briefcase',
    tables: [
      {
        name: 'Companies',
        columns: [
          { name: 'Name', type: 'text', required: true, unique: true },
          { name: 'Website', type: 'text' },
          {
            name: 'Industry',
            type: 'singleSelect',
            options: { choices: ['Software', 'Retail', 'Finance', 'Other'] },
          },
          { name: 'Employees', type: 'integer', rules: { minValue: 0 } },
        ],
      },
      {
        name: 'Contacts',
        columns: [
          { name: 'Name', type: 'text', required: true },
          { name: 'Email', type: 'text', rules: { pattern: '^[^@\\s]+@[^@\\s]+$' } },
          { name: 'Phone', type: 'text' },
          { name: 'Company', type: 'text' },
        ],
      },
      {
        name: 'Deals',
        columns: [
          { name: 'Deal', type: 'text', required: true },
          {
            name: 'Stage',
            type: 'singleSelect',
            options: { choices: ['Lead', 'Qualified', 'Proposal', 'Won', 'Lost'] },
            default: 'Lead',
          },
          { name: 'Value', type: 'decimal', options: { precision: 2 } },
          { name: 'Probability', type: 'integer', rules: { minValue: 0, maxValue: 100 } },
          { name: 'Expected value', type: 'formula', options: { formula: '{Value} * {Probability} / 100' } },
          { name: 'Close date', type: 'date' },
          { name: 'Owner', type: 'user' },
        ],
      },
    ],
  },
};
