// Entry of dist/actions.bundle.mjs (built by scripts/bundle.mjs): GitHub's own workflow parser
// and expression evaluator, bundled because on Node 20 their JSON schema import cannot be
// loaded directly (it imports a JSON file without an import attribute). Loaded lazily by src/actions.ts.

export { data, Evaluator, Lexer, Parser, wellKnownFunctions } from '@actions/expressions';
export { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
