/**
 * The real-world corpus used by tests and benchmarks: public Kestra flows and real `pulumi stack export` files,
 * copied byte for byte into tests/fixtures/corpus (SOURCES.md in each folder says where each file comes from), so
 * a fresh clone tests against the same data. None of the flows refers to a metadata endpoint.
 */
import * as path from "node:path";

/** Root of the copied corpus. */
export const CORPUS_DIR = path.join(__dirname, "fixtures", "corpus");
/** Real Kestra flows (some deliberately invalid, from Kestra's own tests). */
export const KESTRA_FLOWS_DIR = path.join(CORPUS_DIR, "kestra-flows");
/** Real stack exports and self-managed checkpoints, versions 3 and 4, one with encrypted secrets. */
export const STACK_EXPORTS_DIR = path.join(CORPUS_DIR, "stack-exports");
