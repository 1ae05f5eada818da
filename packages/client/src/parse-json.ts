/** The JSON value of a text, or undefined (which no schema of ours accepts) when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
