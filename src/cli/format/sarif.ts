/**
 * SARIF 2.1.0 output, as GitHub code scanning ingests it: one run whose `tool.driver.rules`
 * describes every rule (id, short description, help, default level) and whose results point at
 * repo-relative URIs with 1-based regions (`endColumn` is exclusive, as in SARIF §3.30.8) and a
 * `partialFingerprints` entry that survives lines moving (it hashes rule, file and JSON path).
 */
import { createHash } from 'node:crypto';
import type { Diagnostic, Severity } from '../../config/diagnostic.js';
import type { RuleMeta } from '../../analysis/lint/rule_meta.js';

export type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

export interface SarifOptions {
  /** Every rule lint knows (ids not in here still get a minimal descriptor). */
  readonly rules: readonly RuleMeta[];
  /** Maps a diagnostic's file to the URI SARIF carries (relative to the repository root / cwd). */
  readonly uriOf: (file: string) => string;
  readonly toolVersion: string;
  /** Link to the rules documentation (`helpUri`). */
  readonly helpUri?: string;
  /** What a finding is about (`config` or `tsproxy`), carried in the result's property bag. */
  readonly concernOf?: (d: Diagnostic) => 'config' | 'tsproxy';
}

/** A file path to a relative URI reference: forward slashes, percent-encoded. */
export function pathToUri(rel: string): string {
  return rel.split(/[\\/]/).map((seg) => encodeURIComponent(seg)).join('/');
}

function fingerprint(d: Diagnostic, uri: string): string {
  return createHash('sha256').update(`${d.rule}\u0000${uri}\u0000${d.path}\u0000${d.message}`).digest('hex').slice(0, 32);
}

/** Builds the SARIF log object. */
export function toSarif(diagnostics: readonly Diagnostic[], opts: SarifOptions): object {
  const rules = [...opts.rules];
  const index = new Map(rules.map((r, i) => [r.id, i] as const));
  for (const d of diagnostics) {
    if (index.has(d.rule)) continue;
    // A rule id the table does not know (a newer loader check): describe it minimally.
    index.set(d.rule, rules.length);
    rules.push({ id: d.rule, severity: d.severity, category: 'schema', summary: d.rule, help: d.rule, example: '' });
  }
  const helpUri = opts.helpUri;
  const driverRules = rules.map((r) => ({
    id: r.id,
    name: r.id.replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase()),
    shortDescription: { text: r.summary },
    fullDescription: { text: r.help },
    help: { text: `${r.help}${r.example ? `\n\nExample: ${r.example}` : ''}`, markdown: `${r.help}${r.example ? `\n\nExample:\n\n\`\`\`yaml\n${r.example}\n\`\`\`` : ''}` },
    ...(helpUri ? { helpUri: `${helpUri}#${r.id.replace(/[^a-z0-9]+/g, '-')}` } : {}),
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: [r.category] },
  }));
  const results = diagnostics.map((d) => {
    const uri = opts.uriOf(d.file);
    const region: Record<string, number> = { startLine: d.line, startColumn: d.col };
    if (d.endLine !== undefined && d.endCol !== undefined && (d.endLine > d.line || (d.endLine === d.line && d.endCol > d.col))) {
      region.endLine = d.endLine;
      region.endColumn = d.endCol;
    }
    return {
      ruleId: d.rule,
      ruleIndex: index.get(d.rule)!,
      level: LEVEL[d.severity],
      message: { text: d.message },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri }, region },
          logicalLocations: [{ fullyQualifiedName: d.path, kind: 'member' }],
        },
      ],
      partialFingerprints: { 'tsproxyPath/v1': fingerprint(d, uri) },
      ...(opts.concernOf ? { properties: { concerns: opts.concernOf(d) } } : {}),
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tsproxy',
            semanticVersion: opts.toolVersion,
            version: opts.toolVersion,
            rules: driverRules,
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

/** The SARIF document as text. */
export function formatSarif(diagnostics: readonly Diagnostic[], opts: SarifOptions): string {
  return JSON.stringify(toSarif(diagnostics, opts), null, 2) + '\n';
}
