/**
 * Descriptors of the xDS matcher API (`xds.type.matcher.v3.Matcher`) as a listener's
 * `filter_chain_matcher` uses it: lists and trees of matchers over the network inputs
 * (`envoy.matching.inputs.destination_ip` ...), the IP trie (`xds.type.matcher.v3.IPMatcher`),
 * the `envoy.matching.matchers.ip` input matcher, and the action naming a filter chain
 * (`google.protobuf.StringValue`). Decoded field by field so the core reads snake_case.
 */
import { any, bool, message, msg, str, u32, type MessageDescriptor } from './descriptor.js';
import { STRING_MATCHER } from './common.js';

const XDS_CIDR_RANGE: MessageDescriptor = message('xds.core.v3.CidrRange', {
  address_prefix: str({ required: true }),
  prefix_len: u32({ check: { max: 128 } }),
});

const ENVOY_CIDR_RANGE: MessageDescriptor = message('envoy.config.core.v3.CidrRange', {
  address_prefix: str({ required: true }),
  prefix_len: u32({ check: { max: 128 } }),
});

export const TYPED_EXTENSION_CONFIG: MessageDescriptor = message('xds.core.v3.TypedExtensionConfig', {
  name: str(),
  typed_config: any({ required: true }),
});

const XDS_STRING_MATCHER: MessageDescriptor = message('xds.type.matcher.v3.StringMatcher', STRING_MATCHER.fields, {
  requiredOneofs: ['match_pattern'],
});

const M = 'xds.type.matcher.v3.Matcher';

export const ON_MATCH: MessageDescriptor = message(`${M}.OnMatch`, {
  matcher: msg(() => XDS_MATCHER, { oneof: 'on_match' }),
  action: msg(() => TYPED_EXTENSION_CONFIG, { oneof: 'on_match' }),
  keep_matching: bool(),
}, { requiredOneofs: ['on_match'] });

const PREDICATE_LIST: MessageDescriptor = message(`${M}.MatcherList.Predicate.PredicateList`, {
  predicate: msg(() => PREDICATE, { repeated: true }),
});

const PREDICATE: MessageDescriptor = message(`${M}.MatcherList.Predicate`, {
  single_predicate: msg(() => message(`${M}.MatcherList.Predicate.SinglePredicate`, {
    input: msg(() => TYPED_EXTENSION_CONFIG, { required: true }),
    value_match: msg(() => XDS_STRING_MATCHER, { oneof: 'matcher' }),
    custom_match: msg(() => TYPED_EXTENSION_CONFIG, { oneof: 'matcher' }),
  }, { requiredOneofs: ['matcher'] }), { oneof: 'match_type' }),
  or_matcher: msg(() => PREDICATE_LIST, { oneof: 'match_type' }),
  and_matcher: msg(() => PREDICATE_LIST, { oneof: 'match_type' }),
  not_matcher: msg(() => PREDICATE, { oneof: 'match_type' }),
}, { requiredOneofs: ['match_type'] });

const MATCH_MAP: MessageDescriptor = message(`${M}.MatcherTree.MatchMap`, {
  map: msg(() => ON_MATCH, { map: true }),
});

export const XDS_MATCHER: MessageDescriptor = message(M, {
  matcher_list: msg(() => message(`${M}.MatcherList`, {
    matchers: msg(() => message(`${M}.MatcherList.FieldMatcher`, {
      predicate: msg(() => PREDICATE, { required: true }),
      on_match: msg(() => ON_MATCH, { required: true }),
    }), { repeated: true }),
  }), { oneof: 'matcher_type' }),
  matcher_tree: msg(() => message(`${M}.MatcherTree`, {
    input: msg(() => TYPED_EXTENSION_CONFIG, { required: true }),
    exact_match_map: msg(() => MATCH_MAP, { oneof: 'tree_type' }),
    prefix_match_map: msg(() => MATCH_MAP, { oneof: 'tree_type' }),
    custom_match: msg(() => TYPED_EXTENSION_CONFIG, { oneof: 'tree_type' }),
  }, { requiredOneofs: ['tree_type'] }), { oneof: 'matcher_type' }),
  on_no_match: msg(() => ON_MATCH),
});

/** `xds.type.matcher.v3.IPMatcher`: the trie custom matcher of a matcher tree. */
export const XDS_IP_MATCHER: MessageDescriptor = message('xds.type.matcher.v3.IPMatcher', {
  range_matchers: msg(() => message('xds.type.matcher.v3.IPMatcher.IPRangeMatcher', {
    ranges: msg(() => XDS_CIDR_RANGE, { repeated: true }),
    on_match: msg(() => ON_MATCH),
    exclusive: bool(),
  }), { repeated: true }),
});

/** `envoy.extensions.matching.input_matchers.ip.v3.Ip`: a predicate's custom_match over CIDR ranges. */
export const IP_INPUT_MATCHER: MessageDescriptor = message('envoy.extensions.matching.input_matchers.ip.v3.Ip', {
  cidr_ranges: msg(() => ENVOY_CIDR_RANGE, { repeated: true }),
  stat_prefix: str(),
});

/** The action of a filter chain matcher: the filter chain's name. */
export const STRING_VALUE: MessageDescriptor = message('google.protobuf.StringValue', { value: str() });

const NET = 'envoy.extensions.matching.common_inputs.network.v3';

/** The network inputs a filter chain matcher reads (all but FilterStateInput carry no fields). */
export const NETWORK_INPUTS: readonly MessageDescriptor[] = [
  ...['DestinationIPInput', 'DestinationPortInput', 'SourceIPInput', 'SourcePortInput', 'DirectSourceIPInput', 'SourceTypeInput',
    'ServerNameInput', 'TransportProtocolInput', 'ApplicationProtocolInput'].map((n) => message(`${NET}.${n}`, {})),
  message(`${NET}.FilterStateInput`, { key: str({ required: true }) }),
];
