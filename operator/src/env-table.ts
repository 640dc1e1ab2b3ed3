import { Ajv, type ValidateFunction } from 'ajv';
import { Type, TypeGuard, type Static, type TOptional, type TSchema } from '@sinclair/typebox';
import { ConfigError } from '../../dataplane/src/platform/config-error.js';

/** One environment variable: its schema, default and meaning (the meaning goes into errors). */
export interface EnvVariable {
  schema: TSchema;
  /** Used when the variable is unset or empty; a function for defaults read at start (hostname). */
  default?: string | (() => string);
  doc: string;
  /** Its value may hold a credential: errors never repeat it. */
  secret?: boolean;
  /** The text is JSON, parsed before the schema is checked. */
  json?: boolean;
}

export type EnvTable = Record<string, EnvVariable>;

/** What a table reads: optional variables without a default may be undefined. */
export type EnvValues<T extends EnvTable> = {
  [K in keyof T]: T[K]['schema'] extends TOptional<infer S extends TSchema>
    ? Static<S> | undefined
    : Static<T[K]['schema']>;
};

/** `Number("1e3")` is 1000 and ajv would take it; integers must be written as integers. */
const INTEGER = /^\s*-?\d+\s*$/;
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: true });
const compiled = new WeakMap<TSchema, ValidateFunction>();

/** The variable's value checked in a wrapper object, so ajv can coerce it in place. */
function validatorOf(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(Type.Object({ value: schema }, { required: ['value'] }));
    compiled.set(schema, validate);
  }
  return validate;
}

function hints(schema: TSchema): string {
  if (Array.isArray(schema.anyOf))
    return ` (one of ${(schema.anyOf as TSchema[]).map((s) => String(s.const)).join(', ')})`;
  const shown = ['minimum', 'maximum', 'minLength', 'pattern'].filter((k) => schema[k] !== undefined);
  const type = typeof schema.type === 'string' ? schema.type : 'value';
  return ` (${[type, ...shown.map((k) => `${k} ${String(schema[k])}`)].join(', ')})`;
}

function readOne(name: string, spec: EnvVariable, raw: string | undefined): unknown {
  const fallback = typeof spec.default === 'function' ? spec.default() : spec.default;
  const text = raw === undefined || raw === '' ? fallback : raw;
  if (text === undefined) {
    if (TypeGuard.IsOptional(spec.schema)) return undefined;
    throw new ConfigError(`${name} is required: ${spec.doc}`);
  }
  const shown = spec.secret ? '(value hidden)' : JSON.stringify(text);
  let value: unknown = text;
  if (spec.json) {
    try {
      value = JSON.parse(text);
    } catch {
      throw new ConfigError(`${name}=${shown} is not valid JSON: expected ${spec.doc}`);
    }
  }
  const holder = { value };
  const integerOk = spec.schema.type !== 'integer' || INTEGER.test(text);
  if (!validatorOf(spec.schema)(holder) || !integerOk)
    throw new ConfigError(
      `${name}=${shown} is invalid: expected ${spec.doc}${spec.json ? '' : hints(spec.schema)}`,
    );
  return holder.value;
}

/** Reads every variable of `table` from `env`; throws ConfigError naming the first bad one. */
export function readEnvTable<T extends EnvTable>(table: T, env: NodeJS.ProcessEnv): EnvValues<T> {
  return Object.fromEntries(
    Object.entries(table).map(([name, spec]) => [name, readOne(name, spec, env[name])]),
  ) as EnvValues<T>;
}
