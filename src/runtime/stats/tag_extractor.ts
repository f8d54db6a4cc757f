/**
 * Tag extraction (Envoy's TagExtractorImpl + TagProducerImpl): turns a flat stat name into a
 * tag-extracted name and tags, which is what Prometheus exposition prints:
 * `cluster.web.upstream_rq_200` -> `cluster.upstream_rq` {envoy.response_code="200",
 * envoy.cluster_name="web"}.
 *
 * Every extractor looks at the ORIGINAL name (so their order does not change the result); each
 * records a character interval to remove, and the tag-extracted name is the name minus the union
 * of the intervals. Extractors whose pattern starts with a literal first token (`^cluster\.`,
 * `cluster.$.**`) only run on names with that first token; the others run on every name.
 * When several extractors share a tag name (two for envoy.http_conn_manager_prefix) the first
 * that matches wins.
 *
 * Regex flavours as Envoy: the default descriptors are RE2 (RE2::PartialMatch); a custom
 * `stats_tags[].regex` is a std::regex (ECMAScript: look-aheads and lazy quantifiers allowed),
 * run here with JavaScript's engine. Names are extracted once and cached: nothing runs per
 * request.
 */
import RE2 from 're2';
import { DEFAULT_REGEX_TAGS, DEFAULT_TOKEN_TAGS, type RegexTagDescriptor, type TokenTagDescriptor } from './default_tags.js';

/** A tag: name (`envoy.cluster_name`) and value. */
export interface Tag {
  readonly name: string;
  readonly value: string;
}

/** The result of extraction. */
export interface ExtractedName {
  readonly tagExtractedName: string;
  readonly tags: readonly Tag[];
}

/** Per-name state shared by the extractors (the name split into tokens once). */
class ExtractionContext {
  private tokenList: string[] | undefined;
  constructor(readonly name: string) {}
  get tokens(): string[] {
    return (this.tokenList ??= this.name.split('.'));
  }
}

interface TagExtractor {
  readonly name: string;
  /** First token a name must have for this extractor to run; "" when it runs on every name. */
  readonly prefixToken: string;
  otherWithSameName: boolean;
  extract(ctx: ExtractionContext, tags: Tag[], remove: Array<[number, number]>): boolean;
}

/** TagExtractorImplBase::extractRegexPrefix: `^word\.` or `^word$` gives `word`. */
export function regexPrefixToken(regex: string): string {
  if (!regex.startsWith('^')) return '';
  for (let i = 1; i < regex.length; i++) {
    const c = regex[i]!;
    if (/[A-Za-z0-9_]/.test(c)) continue;
    if (i > 1) {
      const last = i === regex.length - 1;
      const rest = regex.slice(i);
      if ((!last && (rest.startsWith('\\.') || rest.startsWith('(?=\\.)'))) || (last && c === '$')) return regex.slice(1, i);
    }
    return '';
  }
  return '';
}

interface IndexedMatch {
  readonly indices?: ArrayLike<[number, number] | undefined>;
  readonly length: number;
}

class RegexTagExtractor implements TagExtractor {
  otherWithSameName = false;
  readonly prefixToken: string;
  constructor(
    readonly name: string,
    regex: string,
    /** RE2 (default descriptors) or ECMAScript (custom `stats_tags`, Envoy's std::regex). */
    private readonly re: { exec(s: string): IndexedMatch | null },
    private readonly flavour: 're2' | 'std',
    private readonly substr = '',
    private readonly negativeMatch = '',
  ) {
    this.prefixToken = regexPrefixToken(regex);
  }

  extract(ctx: ExtractionContext, tags: Tag[], remove: Array<[number, number]>): boolean {
    const s = ctx.name;
    if (this.substr !== '' && !s.includes(this.substr)) return false;
    const m = this.re.exec(s);
    if (m === null || m.length < 2 || m.indices === undefined) return false;
    const r = m.indices[1];
    const v = m.length > 2 ? m.indices[2] : undefined;
    if (this.flavour === 're2') {
      // RE2: an empty (or unset) first group is no match; an empty second group means "use the first".
      if (r === undefined || r[1] === r[0]) return false;
      const vv = v === undefined || v[1] === v[0] ? r : v;
      const value = s.slice(vv[0], vv[1]);
      if (this.negativeMatch !== '' && value === this.negativeMatch) return false;
      tags.push({ name: this.name, value });
      remove.push([r[0], r[1]]);
      return true;
    }
    // std::regex_search with at least one group: the groups are used even when unset (empty).
    const vv = m.length > 2 ? v : r;
    tags.push({ name: this.name, value: vv === undefined ? '' : s.slice(vv[0], vv[1]) });
    if (r !== undefined) remove.push([r[0], r[1]]);
    return true;
  }
}

class TokenTagExtractor implements TagExtractor {
  otherWithSameName = false;
  readonly prefixToken: string;
  private readonly tokens: string[];
  private readonly matchIndex: number;
  constructor(
    readonly name: string,
    pattern: string,
  ) {
    this.tokens = pattern.split('.');
    this.matchIndex = Math.max(0, this.tokens.indexOf('$'));
    const first = this.tokens[0] ?? '';
    this.prefixToken = first === '$' || first === '*' || first === '**' ? '' : first;
  }

  extract(ctx: ExtractionContext, tags: Tag[], remove: Array<[number, number]>): boolean {
    const input = ctx.tokens;
    const found = { start: 0, index: input.length };
    if (!this.search(input, 0, 0, 0, found)) return false;
    const value = input[found.index]!;
    let start = found.start;
    let end = start + value.length;
    // Remove the dot after the value, or before it when the value is the last token.
    if (found.index < input.length - 1) end++;
    else if (start > 0) start--;
    tags.push({ name: this.name, value });
    remove.push([start, end]);
    return true;
  }

  /** TagExtractorTokensImpl::searchTags. */
  private search(input: string[], ii: number, pi: number, ci: number, found: { start: number; index: number }): boolean {
    const pattern = this.tokens;
    for (; ii < input.length && pi < pattern.length; ii++, pi++) {
      if (pi === this.matchIndex) {
        found.start = ci;
        found.index = ii;
        continue;
      }
      const expected = pattern[pi]!;
      if (expected === '**') {
        if (pi === pattern.length - 1) return true;
        pi++;
        for (; ii < input.length; ii++) {
          if (this.search(input, ii, pi, ci, found)) return true;
          ci += input[ii]!.length + 1;
        }
        return false;
      }
      const token = input[ii]!;
      if (expected !== '*' && expected !== token) return false;
      ci += token.length + 1;
    }
    return pi === pattern.length && ii === input.length;
  }
}

class FixedTagExtractor implements TagExtractor {
  otherWithSameName = false;
  readonly prefixToken = '';
  constructor(
    readonly name: string,
    private readonly value: string,
  ) {}
  extract(_ctx: ExtractionContext, tags: Tag[]): boolean {
    tags.push({ name: this.name, value: this.value });
    return true;
  }
}

/** `envoy.config.metrics.v3.TagSpecifier`. */
export interface TagSpecifier {
  tag_name?: string;
  regex?: string;
  fixed_value?: string;
}

function re2Extractor(d: RegexTagDescriptor): TagExtractor {
  return new RegexTagExtractor(d.name, d.regex, new RE2(d.regex, 'd'), 're2', d.substr, d.negativeMatch);
}

function tokenExtractor(d: TokenTagDescriptor): TagExtractor {
  return new TokenTagExtractor(d.name, d.pattern);
}

/**
 * Envoy's TagProducerImpl. Construction throws an Error with Envoy's message for an invalid
 * specifier (the caller turns it into a config diagnostic).
 */
export class TagProducer {
  private readonly withoutPrefix: TagExtractor[] = [];
  private readonly byPrefix = new Map<string, TagExtractor[]>();
  private readonly byName = new Map<string, TagExtractor>();
  private readonly cache = new Map<string, ExtractedName>();

  constructor(statsTags: readonly TagSpecifier[] = [], useAllDefaultTags = true) {
    if (useAllDefaultTags) {
      for (const d of DEFAULT_REGEX_TAGS) this.add(re2Extractor(d));
      for (const d of DEFAULT_TOKEN_TAGS) this.add(tokenExtractor(d));
    }
    for (const spec of statsTags) {
      const name = spec.tag_name ?? '';
      if (name === '') throw new Error('tag_name cannot be empty');
      if (spec.fixed_value !== undefined) {
        this.add(new FixedTagExtractor(name, spec.fixed_value));
      } else if (spec.regex === undefined || spec.regex === '') {
        // A known tag name without a regex uses Envoy's default regexes for it.
        const regexes = DEFAULT_REGEX_TAGS.filter((d) => d.name === name);
        const tokens = DEFAULT_TOKEN_TAGS.filter((d) => d.name === name);
        if (regexes.length + tokens.length === 0) {
          throw new Error(`No regex specified for tag specifier and no default regex for name: '${name}'`);
        }
        for (const d of regexes) this.add(re2Extractor(d));
        for (const d of tokens) this.add(tokenExtractor(d));
      } else {
        let js: RegExp;
        try {
          js = new RegExp(spec.regex, 'd');
        } catch (err) {
          throw new Error(`Invalid regex '${spec.regex}': ${(err as Error).message}`);
        }
        this.add(new RegexTagExtractor(name, spec.regex, js, 'std'));
      }
    }
  }

  private add(e: TagExtractor): void {
    const other = this.byName.get(e.name);
    if (other) {
      other.otherWithSameName = true;
      e.otherWithSameName = true;
    } else {
      this.byName.set(e.name, e);
    }
    if (e.prefixToken === '') {
      this.withoutPrefix.push(e);
    } else {
      let list = this.byPrefix.get(e.prefixToken);
      if (!list) this.byPrefix.set(e.prefixToken, (list = []));
      list.push(e);
    }
  }

  /** The tag-extracted name and tags of `name` (cached). */
  produceTags(name: string): ExtractedName {
    const hit = this.cache.get(name);
    if (hit) return hit;
    const ctx = new ExtractionContext(name);
    const tags: Tag[] = [];
    const remove: Array<[number, number]> = [];
    const seen = new Set<string>();
    const run = (e: TagExtractor): void => {
      if (e.otherWithSameName && seen.has(e.name)) return;
      if (e.extract(ctx, tags, remove) && e.otherWithSameName) seen.add(e.name);
    };
    for (const e of this.withoutPrefix) run(e);
    const dot = name.indexOf('.');
    if (dot >= 0) for (const e of this.byPrefix.get(name.slice(0, dot)) ?? []) run(e);
    const out: ExtractedName = { tagExtractedName: removeIntervals(name, remove), tags };
    this.cache.set(name, out);
    return out;
  }
}

/** StringUtil::removeCharacters over the union of [start, end) intervals. */
function removeIntervals(s: string, intervals: Array<[number, number]>): string {
  if (intervals.length === 0) return s;
  intervals.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  for (const [start, end] of intervals) {
    if (start > pos) out += s.slice(pos, start);
    pos = Math.max(pos, end);
  }
  return out + s.slice(pos);
}
