export {
  type CompileResult,
  compileJava,
  defaultCacheDir,
  HARNESS_CLASS,
  HARNESS_SOURCE,
  javaSources,
} from './compile.ts';
export {
  CAUSES,
  type CaseDiagnosis,
  type Cause,
  type CauseGroup,
  type Diagnosis,
  diagnoseMismatches,
} from './diagnose.ts';
export {
  asciiJson,
  createJavaImpl,
  type JavaEncoding,
  type JavaImplOptions,
  type JavaTokenizerImpl,
} from './java-impl.ts';
export { findJdk, type Jdk } from './jdk.ts';
