/**
 * LQP → MongoDB aggregation pipeline (DESIGN §3). See README.md for the stage order, the
 * semantics shared with the SQL compilers and the injection rules.
 */
export { compileMongoPipeline, compileAnalyzed, type MongoCompileOptions } from './pipeline.compiler.js';
export { finishMongoResult, explainMongoPlan } from './result.js';
export { toPlainValue } from './bson-values.js';
export { escapeRegex } from './regex.js';
export type { MongoPlan, OutputColumn, InProcessColumn } from './plan.js';
