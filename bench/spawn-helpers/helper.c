/*
 * Spawn helper candidate (bench/spawn-helpers.ts), the protocol of helper.pl: forks with
 * vfork, so not even this small process's page tables are copied (built with -DUSE_FORK, a
 * plain fork, to see what vfork itself is worth).
 *
 * Between vfork and exec the child only makes system calls (no malloc, no stdio): it shares
 * the parent's memory until exec. SIGCHLD is read from a signalfd, so no exit is missed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define CAP 4096
#define MAX_RUNS 256
#define MAX_FIELDS 4096

struct run {
  char id[32];
  pid_t pid; /* 0: slot free */
  int fd;    /* -1 once the output is closed */
  int exited;
  long total;
};

static struct run runs[MAX_RUNS];
static sigset_t chld;
static int devnull;

static void reply(const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(1, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) _exit(2);
    data += n;
    len -= (size_t)n;
  }
}

static void replyf(const char *fmt, const char *id, long a, long b) {
  char line[128];
  int len = snprintf(line, sizeof line, fmt, id, a, b);
  reply(line, (size_t)len);
}

static void finish(struct run *r) {
  if (r->exited && r->fd < 0) r->pid = 0;
}

static void fail(int out, const char *what) {
  const char *text = strerror(errno);
  (void)!write(out, "spawn helper: ", 14);
  (void)!write(out, what, strlen(what));
  (void)!write(out, ": ", 2);
  (void)!write(out, text, strlen(text));
  (void)!write(out, "\n", 1);
  _exit(127);
}

/* Runs in the vforked child: system calls only. */
static void child(int out, const char *cgroup, const char *uid, const char *gid, char **argv,
                  char **envp) {
  if (setsid() < 0) fail(out, "setsid");
  if (*cgroup) {
    int fd = open(cgroup, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) fail(out, "cgroup");
    close(fd);
  }
  if (*gid) {
    gid_t g = (gid_t)strtoul(gid, NULL, 10);
    if (setgroups(1, &g) < 0 || setgid(g) < 0) fail(out, "setgid");
  }
  if (*uid && setuid((uid_t)strtoul(uid, NULL, 10)) < 0) fail(out, "setuid");
  if (dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) fail(out, "dup2");
  sigprocmask(SIG_UNBLOCK, &chld, NULL);
  execve(argv[0], argv, envp);
  fail(out, argv[0]);
}

static void start(char **f, int argc, char **env) {
  const char *id = f[1];
  struct run *r = NULL;
  for (int i = 0; i < MAX_RUNS && !r; i++)
    if (!runs[i].pid) r = &runs[i];
  int p[2];
  if (!r || pipe2(p, O_CLOEXEC) < 0) {
    replyf("F %s errno %ld\n", id, errno, 0);
    return;
  }
  char **argv = &f[6];
  /* The fields are NUL-terminated in place; argv and env need a NULL after them. */
  char *argv_copy[argc + 1];
  memcpy(argv_copy, argv, sizeof(char *) * (size_t)argc);
  argv_copy[argc] = NULL;
#ifdef USE_FORK
  pid_t pid = fork();
#else
  pid_t pid = vfork();
#endif
  if (pid == 0) child(p[1], f[2], f[3], f[4], argv_copy, env);
  close(p[1]);
  if (pid < 0) {
    close(p[0]);
    replyf("F %s errno %ld\n", id, errno, 0);
    return;
  }
  snprintf(r->id, sizeof r->id, "%s", id);
  r->pid = pid;
  r->fd = p[0];
  r->exited = 0;
  r->total = 0;
  replyf("P %s %ld\n", r->id, pid, 0);
}

static struct run *find(const char *id) {
  for (int i = 0; i < MAX_RUNS; i++)
    if (runs[i].pid && strcmp(runs[i].id, id) == 0) return &runs[i];
  return NULL;
}

/* Takes every complete request off the front of buf; returns the bytes used. */
static size_t requests(char *buf, size_t len) {
  size_t used = 0;
  for (;;) {
    char *f[MAX_FIELDS];
    size_t n = 0, at = used;
    int need = 3;
    while (n < (size_t)need && n < MAX_FIELDS) {
      char *end = memchr(buf + at, 0, len - at);
      if (!end) return used;
      f[n++] = buf + at;
      at = (size_t)(end - buf) + 1;
      if (n == 1) need = f[0][0] == 'K' ? 3 : 7;
      else if (f[0][0] == 'S' && n == 6) need = 7 + atoi(f[5]);
      else if (f[0][0] == 'S' && n > 6 && n == 7 + (size_t)atoi(f[5])) need += atoi(f[n - 1]);
    }
    if (n >= MAX_FIELDS) _exit(3);
    used = at;
    if (f[0][0] == 'K') {
      struct run *r = find(f[1]);
      if (r && !r->exited) kill(-r->pid, atoi(f[2]));
      continue;
    }
    int argc = atoi(f[5]);
    int envc = atoi(f[6 + argc]);
    char *env[envc + 1];
    memcpy(env, &f[7 + argc], sizeof(char *) * (size_t)envc);
    env[envc] = NULL;
    start(f, argc, env);
  }
}

static void relay(struct run *r) {
  char chunk[65536];
  ssize_t n = read(r->fd, chunk, sizeof chunk);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    close(r->fd);
    r->fd = -1;
    replyf("D %s %ld\n", r->id, r->total, 0);
    finish(r);
    return;
  }
  long room = CAP - r->total;
  r->total += n;
  if (room <= 0) return;
  long part = n < room ? n : room;
  replyf("O %s %ld\n", r->id, part, 0);
  reply(chunk, (size_t)part);
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (int i = 0; i < MAX_RUNS; i++) {
      struct run *r = &runs[i];
      if (r->pid != pid || r->exited) continue;
      r->exited = 1;
      if (WIFSIGNALED(status)) replyf("X %s %ld %ld\n", r->id, -1, WTERMSIG(status));
      else replyf("X %s %ld %ld\n", r->id, WEXITSTATUS(status), 0);
      finish(r);
    }
  }
}

int main(void) {
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (sfd < 0 || devnull < 0) return 1;
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  for (;;) {
    struct pollfd p[MAX_RUNS + 2];
    struct run *of[MAX_RUNS + 2];
    nfds_t n = 0;
    p[n++] = (struct pollfd){.fd = 0, .events = POLLIN};
    p[n++] = (struct pollfd){.fd = sfd, .events = POLLIN};
    for (int i = 0; i < MAX_RUNS; i++)
      if (runs[i].pid && runs[i].fd >= 0) {
        of[n] = &runs[i];
        p[n++] = (struct pollfd){.fd = runs[i].fd, .events = POLLIN};
      }
    if (poll(p, n, -1) < 0) continue;
    if (p[1].revents) {
      struct signalfd_siginfo info;
      while (read(sfd, &info, sizeof info) > 0) {
      }
      reap();
    }
    for (nfds_t i = 2; i < n; i++)
      if (p[i].revents) relay(of[i]);
    if (p[0].revents) {
      if (cap - len < 65536) buf = realloc(buf, cap *= 2);
      ssize_t got = read(0, buf + len, cap - len);
      if (got == 0) { /* the daemon is gone: so are its checks */
        for (int i = 0; i < MAX_RUNS; i++)
          if (runs[i].pid && !runs[i].exited) kill(-runs[i].pid, SIGKILL);
        return 0;
      }
      if (got > 0) {
        len += (size_t)got;
        size_t used = requests(buf, len);
        memmove(buf, buf + used, len - used);
        len -= used;
      }
    }
  }
}
