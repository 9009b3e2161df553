// Reads a module other JupyterLab extensions share (JupyterLab's module federation share scope):
// scope[name][version] = {get() -> Promise<factory>, loaded}. Like webpack's singleton rule, the
// copy already in use wins, else the highest version: the one the other extensions run.

function newer(a, b) {
  const pa = a.split(/[.+-]/).map(Number);
  const pb = b.split(/[.+-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] || 0;
    const y = pb[i] || 0;
    if (x !== y) return x > y;
  }
  return false;
}

/** The module `name` from the share scope, or null when no extension shares it. */
export async function sharedModule(scope, name) {
  const versions = scope?.[name];
  if (!versions) return null;
  const keys = Object.keys(versions);
  const chosen = keys.find((key) => versions[key].loaded) ?? keys.reduce((a, b) => (newer(b, a) ? b : a), keys[0]);
  if (chosen === undefined) return null;
  const entry = versions[chosen];
  const factory = await entry.get();
  entry.loaded = 1;
  return factory();
}
