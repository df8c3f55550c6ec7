/**
 * local/no-cycle-through-types: the import cycles import-x/no-cycle does not see.
 *
 * import-x/no-cycle skips every type-only import (`import type`, `export type … from`, `import('…').T`),
 * and has no option to count them, so a cycle that is closed by a type import passes it — as
 * lib/http/auth.ts ↔ lib/http/middleware.ts once did through the HttpEvent type. Type imports are erased
 * at runtime, but they still tie two modules into one: neither can move or be read alone. This rule walks
 * the same import graph with type-only imports included and reports the cycles that need one of them;
 * cycles made of value imports alone are left to import-x/no-cycle, so nothing is reported twice.
 *
 * Files outside the repository or under node_modules are not followed. Every file's imports are read with
 * the TypeScript parser and cached by modification time; the linted file itself is taken from what ESLint
 * lints (the cached imports when they were read from the same text), so unsaved or virtual content counts.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SOURCE = /\.(?:[cm]?[jt]sx?)$/;

/** @returns {{ specifier: string, typeOnly: boolean, start: number, end: number }[]} */
function importsOf(fileName, text) {
  if (!/\b(?:import|export)\b/.test(text)) return [];
  const file = ts.createSourceFile(
    fileName,
    text,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    false,
  );
  const found = [];
  const add = (literal, typeOnly) => {
    if (literal && ts.isStringLiteralLike(literal)) {
      found.push({ specifier: literal.text, typeOnly, start: literal.getStart(file), end: literal.end });
    }
  };
  const everyType = (elements) => elements.length > 0 && elements.every((element) => element.isTypeOnly);
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const bindings = clause?.namedBindings;
      add(
        statement.moduleSpecifier,
        Boolean(
          clause &&
          (clause.isTypeOnly ||
            (!clause.name && bindings && ts.isNamedImports(bindings) && everyType(bindings.elements))),
        ),
      );
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      const clause = statement.exportClause;
      add(
        statement.moduleSpecifier,
        statement.isTypeOnly || Boolean(clause && ts.isNamedExports(clause) && everyType(clause.elements)),
      );
    } else if (
      ts.isImportEqualsDeclaration(statement) &&
      ts.isExternalModuleReference(statement.moduleReference)
    ) {
      add(statement.moduleReference.expression, statement.isTypeOnly);
    }
  }
  if (text.includes('import(')) {
    const visit = (node) => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        add(node.arguments[0], false);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
        add(node.argument.literal, true);
      }
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(file, visit);
  }
  return found;
}

/** @param {{ root: string, resolver: { resolve(source: string, file: string): { found: boolean, path?: string | null } } }} options */
export function noCycleThroughTypes({ root, resolver }) {
  const inRepository = (file) =>
    SOURCE.test(file) &&
    !path.relative(root, file).startsWith('..') &&
    !file.includes(`${path.sep}node_modules${path.sep}`);

  const resolved = new Map();
  const resolve = (specifier, from) => {
    const key = `${path.dirname(from)}\0${specifier}`;
    if (!resolved.has(key)) {
      let target = null;
      try {
        const result = resolver.resolve(specifier, from);
        if (result.found && result.path && inRepository(result.path)) target = path.resolve(result.path);
      } catch {
        // unresolvable: not part of the graph
      }
      resolved.set(key, target);
    }
    return resolved.get(key);
  };

  const edgesOf = (file, text) =>
    importsOf(file, text).flatMap((entry) => {
      const target = resolve(entry.specifier, file);
      return target ? [{ ...entry, target }] : [];
    });

  /** Imports of a file on disk, cached by modification time. */
  const graph = new Map();
  const edgesOnDisk = (file) => {
    let mtime;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      return [];
    }
    const cached = graph.get(file);
    if (cached?.mtime === mtime) return cached.edges;
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // unreadable: no edges
    }
    const edges = edgesOf(file, text);
    graph.set(file, { mtime, text, edges });
    return edges;
  };
  /** Imports of the linted text: the cached ones when the file on disk says the same. */
  const edgesLinted = (file, text) => {
    const cached = graph.get(file);
    return cached?.text === text ? cached.edges : edgesOf(file, text);
  };

  /** Shortest chain of files from `start` to `goal`, or null; `dead` holds files known not to reach it. */
  const pathTo = (start, goal, { valueOnly, dead }) => {
    const parent = new Map([[start, null]]);
    const queue = [start];
    while (queue.length > 0) {
      const file = queue.shift();
      if (file === goal) {
        const chain = [];
        for (let at = file; at !== null; at = parent.get(at)) chain.unshift(at);
        return chain;
      }
      for (const edge of edgesOnDisk(file)) {
        if (valueOnly && edge.typeOnly) continue;
        if (parent.has(edge.target) || dead?.has(edge.target)) continue;
        parent.set(edge.target, file);
        queue.push(edge.target);
      }
    }
    if (dead) for (const file of parent.keys()) dead.add(file);
    return null;
  };

  return {
    meta: {
      type: 'problem',
      docs: {
        description:
          'Forbid import cycles that are closed by a type-only import (import-x/no-cycle skips those).',
      },
      schema: [],
      messages: {
        cycle:
          'Dependency cycle through a type-only import: {{chain}}. Type imports still tie the modules together: move what they share into a module of its own.',
      },
    },
    create(context) {
      const filename = context.physicalFilename;
      if (!path.isAbsolute(filename) || !inRepository(filename)) return {};
      const self = path.resolve(filename);
      return {
        'Program:exit'() {
          const { sourceCode } = context;
          const dead = new Set();
          for (const edge of edgesLinted(self, sourceCode.text)) {
            if (edge.target === self) continue;
            const back = pathTo(edge.target, self, { valueOnly: false, dead });
            if (!back) continue;
            // A cycle of value imports alone is import-x/no-cycle's to report.
            if (!edge.typeOnly && pathTo(edge.target, self, { valueOnly: true })) continue;
            context.report({
              loc: {
                start: sourceCode.getLocFromIndex(edge.start),
                end: sourceCode.getLocFromIndex(edge.end),
              },
              messageId: 'cycle',
              data: { chain: [self, ...back].map((file) => path.relative(root, file)).join(' → ') },
            });
          }
        },
      };
    },
  };
}
