// Compile every module under a directory to .pyc for the Lambda runtime's interpreter.
//
// Usage: node compile.mjs <directory> <cache tag, e.g. cpython-314>
//
// Pyodide is CPython compiled to WebAssembly: its bytecode is the same as the native build's
// for the same minor version, which is all a .pyc depends on. The files are written as
// unchecked-hash .pyc, which do not depend on file times (Lambda's /opt is read-only, and
// a zip's times are not the source's). Exits 1 if the tag differs or any module fails.
import { loadPyodide } from "pyodide";

const [root, expectedTag] = process.argv.slice(2);
if (!root || !expectedTag) {
  console.error("usage: node compile.mjs <directory> <cache tag>");
  process.exit(2);
}
const pyodide = await loadPyodide();
pyodide.FS.mkdirTree("/layer");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root }, "/layer");
pyodide.globals.set("expected_tag", expectedTag);
const failure = pyodide.runPython(`
import compileall, py_compile, sys
tag = sys.implementation.cache_tag
if tag != expected_tag:
    result = f"this interpreter's cache tag is {tag}, not {expected_tag}"
elif not compileall.compile_dir(
    "/layer", quiet=1, workers=1,
    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
):
    result = "some modules did not compile"
else:
    result = ""
result
`);
if (failure) {
  console.error(`billfold bytecode: ${failure}`);
  process.exit(1);
}
