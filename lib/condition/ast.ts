// The condition language's own AST (DESIGN §3 "Conditions"): the whitelist is the grammar. Pure.
//   boolean  := input | "!" boolean | boolean ("&&" | "||") boolean | "(" boolean ")" | "true" | "false"
//             | value ("==" | "!=" | "<" | "<=" | ">" | ">=") value | path          (a path is true iff it is true)
//   value    := path | input | string | number | "true" | "false" | "null"
//   path     := input ("." name | "[" string "]")+          (into the input's latest CloudEvent)

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type Value =
  | { kind: 'path'; input: string; path: string[] }
  | { kind: 'active'; input: string }
  | { kind: 'const'; value: string | number | boolean | null };

export type Condition =
  | { kind: 'active'; input: string }
  | { kind: 'not'; arg: Condition }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'compare'; op: ComparisonOperator; left: Value; right: Value }
  | { kind: 'true-path'; value: Extract<Value, { kind: 'path' }> }
  | { kind: 'const'; value: boolean };

/** The inputs a condition names, in order of first mention. */
export function inputsOf(c: Condition): string[] {
  const out = new Set<string>();
  const visitValue = (v: Value) => {
    if (v.kind !== 'const') out.add(v.input);
  };
  const visit = (n: Condition): void => {
    switch (n.kind) {
      case 'active':
        out.add(n.input);
        return;
      case 'not':
        return visit(n.arg);
      case 'and':
      case 'or':
        visit(n.left);
        return visit(n.right);
      case 'compare':
        visitValue(n.left);
        return visitValue(n.right);
      case 'true-path':
        return visitValue(n.value);
      case 'const':
        return;
    }
  };
  visit(c);
  return [...out];
}
