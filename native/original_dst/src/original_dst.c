/*
 * getOriginalDst(fd): the destination an accepted TCP connection had before an iptables REDIRECT
 * (or TPROXY) rewrote it, read with getsockopt(SOL_IP, SO_ORIGINAL_DST) for IPv4 (including
 * IPv4-mapped connections on a dual-stack socket) or getsockopt(SOL_IPV6, IP6T_SO_ORIGINAL_DST)
 * for IPv6. Returns {address, port, family}; undefined when the connection has no original
 * destination (ENOENT: no conntrack entry; ENOPROTOOPT: not TCP, or netfilter absent) and on
 * systems other than Linux; the errno as a number for any other failure (EBADF for a closed fd,
 * ENOTSOCK, ...). Never throws except on a non-numeric argument. Node-API only (node_api.h).
 */
#include <node_api.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

/* linux/netfilter_ipv4.h and linux/netfilter_ipv6/ip6_tables.h; both are 80. */
#define TSP_SO_ORIGINAL_DST 80
#define TSP_IP6T_SO_ORIGINAL_DST 80

static napi_value make_result(napi_env env, const char *address, unsigned port, int family) {
  napi_value obj, v;
  if (napi_create_object(env, &obj) != napi_ok) return NULL;
  napi_create_string_utf8(env, address, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "address", v);
  napi_create_uint32(env, port, &v);
  napi_set_named_property(env, obj, "port", v);
  napi_create_uint32(env, (uint32_t)family, &v);
  napi_set_named_property(env, obj, "family", v);
  return obj;
}

static napi_value get_original_dst(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int32_t fd;
  napi_get_undefined(env, &result);
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "getOriginalDst(fd): fd must be a number");
    return NULL;
  }
#ifdef __linux__
  struct sockaddr_storage local;
  socklen_t len = sizeof(local);
  int err = 0;
  char text[INET6_ADDRSTRLEN];
  memset(&local, 0, sizeof(local));
  if (getsockname(fd, (struct sockaddr *)&local, &len) != 0) {
    err = errno;
  } else if (local.ss_family == AF_INET ||
             (local.ss_family == AF_INET6 &&
              IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&local)->sin6_addr))) {
    /* An IPv4 connection, on an AF_INET socket or IPv4-mapped on a dual-stack one. */
    struct sockaddr_in dst;
    len = sizeof(dst);
    memset(&dst, 0, sizeof(dst));
    if (getsockopt(fd, SOL_IP, TSP_SO_ORIGINAL_DST, &dst, &len) != 0) err = errno;
    else if (inet_ntop(AF_INET, &dst.sin_addr, text, sizeof(text)) == NULL) err = errno;
    else return make_result(env, text, ntohs(dst.sin_port), 4);
  } else if (local.ss_family == AF_INET6) {
    struct sockaddr_in6 dst;
    len = sizeof(dst);
    memset(&dst, 0, sizeof(dst));
    if (getsockopt(fd, SOL_IPV6, TSP_IP6T_SO_ORIGINAL_DST, &dst, &len) != 0) err = errno;
    else if (inet_ntop(AF_INET6, &dst.sin6_addr, text, sizeof(text)) == NULL) err = errno;
    else return make_result(env, text, ntohs(dst.sin6_port), 6);
  } else {
    return result; /* not an IP socket (a pipe): no original destination */
  }
  if (err == ENOENT || err == ENOPROTOOPT) return result;
  napi_create_int32(env, err, &result);
#else
  (void)fd;
#endif
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn;
  if (napi_create_function(env, "getOriginalDst", NAPI_AUTO_LENGTH, get_original_dst, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "getOriginalDst", fn) != napi_ok) return NULL;
  return exports;
}
