// The file a worker thread runs, next to the module that starts it: from compiled JavaScript the .js
// file, under tsx the .ts file (a worker inherits the parent's --import loader).

/** `starter`: the starting module's import.meta.url; `name`: the thread's file name without extension. */
export function threadModule(starter: string, name: string): URL {
  const ext = starter.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, starter);
}
