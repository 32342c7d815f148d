/*
 * The launchctl double's fast client (README.md, "Clients"): what dist/test/fakes/launchctl/main.js does when a
 * supervisor is running, without starting Node. A real launchctl answers in milliseconds; a Node client costs more
 * than `node -e 0` per call, which made every plan against the double several times slower than lotusctl's own work.
 *
 *   launchctl-fast <main.js> <launchctl args...>
 *
 * It sends the raw call (argv, cwd, real euid, whether stdout is a TTY, and every FAKE_LAUNCHD_* variable) to the
 * state dir's supervisor, which reads the caller's context from them exactly as the Node client would
 * (protocol.ts contextFromRaw), and writes back what the supervisor answered. Everything else goes to the Node
 * client by exec, with the same argv: no FAKE_LAUNCHD_DIR, `__fake_shutdown`, a state dir whose socket is not
 * `<dir>/launchd.sock` (relative or unnormalised paths, paths too long for sun_path), and no supervisor listening
 * (the Node client starts one). Nothing was sent to the supervisor in any of those cases.
 *
 * Wire format (wire.ts): request `LCTL1 <n>\n` then n bytes of NUL-terminated fields: euid, "1"/"0" (stdout is a
 * TTY), cwd, the count of env entries, the entries (`KEY=VALUE`), then the arguments. Response `<code> <o> <e>\n`
 * then o bytes of stdout and e bytes of stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* paths.ts: sun_path holds 108 bytes on Linux (104 on macOS); longer socket paths are hashed (left to Node). */
#define MAX_SOCKET_PATH 100
#define ANSWER_TIMEOUT_MS 120000

static char **g_argv;

/* Hands the call to the Node client, unchanged. */
static void fallback(void) {
  char *node_argv[] = {"node", NULL};
  int argc = 0;
  while (g_argv[argc] != NULL) argc++;
  char **args = malloc(sizeof(char *) * (size_t)(argc + 2));
  if (args == NULL) _exit(70);
  args[0] = node_argv[0];
  for (int i = 1; i <= argc; i++) args[i] = g_argv[i];
  args[argc + 1] = NULL;
  execvp("node", args);
  fprintf(stderr, "launchctl (fake): cannot run node: %s\n", strerror(errno));
  exit(70);
}

static void fail(const char *what) {
  fprintf(stderr, "launchctl (fake): fake launchctl: %s\n", what);
  exit(70);
}

/* A growable byte buffer. */
struct buf {
  char *p;
  size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (b->len + n + 1 > cap) cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) fail("out of memory");
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

static void field(struct buf *b, const char *s) { put(b, s, strlen(s) + 1); }

/* Whether path.resolve() would give back `dir` as it is: absolute, no `.`/`..` parts, no `//`, no trailing `/`. */
static int normalised_absolute(const char *dir) {
  size_t n = strlen(dir);
  if (n < 2 || dir[0] != '/' || dir[n - 1] == '/') return 0;
  for (const char *s = dir; *s != '\0'; s++) {
    if (*s != '/') continue;
    const char *part = s + 1;
    size_t plen = strcspn(part, "/");
    if (plen == 0) return 0;
    if ((plen == 1 && part[0] == '.') || (plen == 2 && part[0] == '.' && part[1] == '.')) return 0;
  }
  return 1;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  g_argv = argv;
  if (argc < 2) {
    fprintf(stderr, "usage: launchctl-fast <main.js> [launchctl args...]\n");
    return 64;
  }
  signal(SIGPIPE, SIG_IGN);
  const char *dir = getenv("FAKE_LAUNCHD_DIR");
  if (dir == NULL || dir[0] == '\0' || !normalised_absolute(dir)) fallback();
  if (argc > 2 && strcmp(argv[2], "__fake_shutdown") == 0) fallback();

  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  int plen = snprintf(addr.sun_path, sizeof addr.sun_path, "%s/launchd.sock", dir);
  if (plen < 0 || plen > MAX_SOCKET_PATH) fallback();

  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) == NULL) fallback();

  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) fallback();
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    fallback(); /* no supervisor: the Node client starts one */
  }

  struct buf body = {0};
  char num[32];
  snprintf(num, sizeof num, "%ld", (long)geteuid());
  field(&body, num);
  field(&body, isatty(STDOUT_FILENO) ? "1" : "0");
  field(&body, cwd);
  int nenv = 0;
  for (char **e = environ; *e != NULL; e++)
    if (strncmp(*e, "FAKE_LAUNCHD_", 13) == 0) nenv++;
  snprintf(num, sizeof num, "%d", nenv);
  field(&body, num);
  for (char **e = environ; *e != NULL; e++)
    if (strncmp(*e, "FAKE_LAUNCHD_", 13) == 0) field(&body, *e);
  for (int i = 2; i < argc; i++) field(&body, argv[i]);

  /*
   * A reset before any answer means the supervisor never read the whole request (it reads all of it before acting):
   * typically a killed supervisor whose listening socket outlived its main thread for a moment. The call was not
   * made, so the Node client makes it (and starts a supervisor if none is left).
   */
  char head[64];
  int hlen = snprintf(head, sizeof head, "LCTL1 %zu\n", body.len);
  if (write_all(fd, head, (size_t)hlen) != 0 || write_all(fd, body.p, body.len) != 0) {
    if (errno == EPIPE || errno == ECONNRESET) {
      close(fd);
      fallback();
    }
    fail(strerror(errno));
  }

  struct buf in = {0};
  long long deadline = now_ms() + ANSWER_TIMEOUT_MS;
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0) fail("supervisor did not answer within 120000 ms"); /* client.ts sendRequest */
    struct pollfd pfd = {fd, POLLIN, 0};
    int pr = poll(&pfd, 1, (int)left);
    if (pr < 0) {
      if (errno == EINTR) continue;
      fail(strerror(errno));
    }
    if (pr == 0) continue;
    char chunk[65536];
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == ECONNRESET && in.len == 0) {
        close(fd);
        fallback();
      }
      fail(strerror(errno));
    }
    if (r == 0) break;
    put(&in, chunk, (size_t)r);
  }
  close(fd);

  char *nl = in.len > 0 ? memchr(in.p, '\n', in.len) : NULL;
  if (nl == NULL) fail("supervisor closed the connection without answering");
  *nl = '\0';
  int code;
  size_t olen, elen;
  if (sscanf(in.p, "%d %zu %zu", &code, &olen, &elen) != 3) fail("unreadable answer from the supervisor");
  size_t off = (size_t)(nl - in.p) + 1;
  if (in.len - off != olen + elen) fail("supervisor closed the connection without answering");
  write_all(STDOUT_FILENO, in.p + off, olen);
  write_all(STDERR_FILENO, in.p + off + olen, elen);
  return code & 0xff;
}
