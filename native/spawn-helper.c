/*
 * healthcheckd-spawn-helper: starts the daemon's check commands for it.
 *
 * Node 20's libuv starts a child with fork(), which copies the page tables of the whole
 * daemon (tens of MiB) for every run. This small process starts the runs instead with
 * vfork(), which copies nothing, and relays their output; the daemon keeps every decision
 * (timeouts, kills, containment, the answer). docs/performance.md has the measurements.
 *
 * Protocol, on stdin and stdout (the daemon's pipes). Requests are NUL-terminated fields:
 *   S id procs uid gid cap file argc argv... envc env...   start a run
 *   K id pgid signo                                         signal its process group
 *   C id                                                    stop reading its output
 * where procs is a cgroup.procs file the child enters before exec ("" for none), uid and
 * gid are numbers or "", cap is how many output bytes to relay, and file is an absolute path.
 * Replies are lines, `O` followed by its bytes:
 *   R healthcheckd-spawn-helper 1   ready (first line)
 *   P id pid                        started: pid leads its own session and process group
 *   F id stage errno                not started (stage: slot pipe vfork setsid cgroup
 *                                   setgroups setgid setuid stdio exec); nothing follows
 *   O id n                          n bytes of output (stdout and stderr, in order)
 *   D id total                      output closed (EOF or C); total bytes it carried
 *   X id code signo                 the leader was reaped (code -1 when a signal ended it)
 *
 * Kills: a group is signalled while its leader is unreaped (its PID cannot be reused), or
 * after, only while no process has that PID (the kernel does not hand out a PID that is
 * still a process group's ID, so a free PID means the group is ours or empty).
 *
 * The daemon gone (EOF on stdin, or EPIPE on stdout): every run's group is SIGKILLed, and
 * the helper exits.
 *
 * A run with a cgroup starts with clone3(CLONE_INTO_CGROUP | CLONE_VFORK), born in its
 * cgroup; one without, with vfork(). Between the two and exec the child only makes system
 * calls, and reports a failed step through a close-on-exec pipe before _exit(127).
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_RUNS 1024
#define MAX_FIELDS 65536

struct run {
  long id;
  pid_t pid;   /* 0: slot free */
  int fd;      /* output pipe, -1 once closed */
  int reaped;  /* the leader was reaped (X sent) */
  long cap;    /* bytes still to relay */
  long total;  /* bytes read */
};

static struct run runs[MAX_RUNS];
static sigset_t chld;
static int devnull;
/* clone3(2) with CLONE_INTO_CGROUP (Linux 5.7): the child is born in its run's cgroup, so no
 * process is ever moved between cgroups (a move waits for an RCU grace period: measured 3-15 ms
 * a run on a busy host). Declared here rather than from <linux/sched.h>, whose CLONE_* macros
 * clash with glibc's. Where clone3 is missing, vfork and a move of the child itself. */
struct clone3_args {
  unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
      set_tid, set_tid_size, cgroup;
};
#define CLONE3_VM 0x00000100ULL
#define CLONE3_VFORK 0x00004000ULL
#define CLONE3_INTO_CGROUP 0x200000000ULL
static int clone3_works = 1;

/*
 * clone3 as vfork is: CLONE_VM, the child runs on this process's stack while this process
 * waits, so no page table is copied (back to back, 1.2x the runs a second of a clone3 that
 * copies them). The system call is made inline, not through syscall(3): a child returning
 * from a function would overwrite the return address this process returns through (glibc's
 * vfork keeps it in a register for that reason), so it is always inlined (at -O0 too). The
 * child only calls functions below this frame, and execs or _exits; the vfork below, in the
 * same function, keeps the compiler from inlining this function into its caller. Elsewhere,
 * clone3 without CLONE_VM.
 */
#if defined(__x86_64__)
#define CLONE3_SHARED 1
static inline __attribute__((always_inline)) long clone3_inline(struct clone3_args *args) {
  register long ret __asm__("rax") = SYS_clone3;
  register long a0 __asm__("rdi") = (long)args;
  register long a1 __asm__("rsi") = (long)sizeof *args;
  __asm__ volatile("syscall" : "+r"(ret) : "r"(a0), "r"(a1) : "rcx", "r11", "memory");
  return ret;
}
#elif defined(__aarch64__)
#define CLONE3_SHARED 1
static inline __attribute__((always_inline)) long clone3_inline(struct clone3_args *args) {
  register long x8 __asm__("x8") = SYS_clone3;
  register long x0 __asm__("x0") = (long)args;
  register long x1 __asm__("x1") = (long)sizeof *args;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
  return x0;
}
#else
#define CLONE3_SHARED 0
#endif

static const char *stages[] = {"none",      "slot",   "pipe",   "vfork", "setsid", "cgroup",
                               "setgroups", "setgid", "setuid", "stdio", "exec"};
enum { S_SLOT = 1, S_PIPE, S_VFORK, S_SETSID, S_CGROUP, S_SETGROUPS, S_SETGID, S_SETUID,
       S_STDIO, S_EXEC };

static void signal_group(struct run *r, pid_t pgid, int signo);

static void kill_all_and_exit(void) {
  for (int i = 0; i < MAX_RUNS; i++)
    if (runs[i].pid) signal_group(&runs[i], runs[i].pid, SIGKILL);
  _exit(0);
}

static void reply(const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(1, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) kill_all_and_exit();
    data += n;
    len -= (size_t)n;
  }
}

static void replyf(const char *fmt, long a, long b, long c) {
  char line[128];
  int len = snprintf(line, sizeof line, fmt, a, b, c);
  reply(line, (size_t)len);
}

static void reply_failed(long id, int stage, int err) {
  char line[128];
  int len = snprintf(line, sizeof line, "F %ld %s %d\n", id, stages[stage], err);
  reply(line, (size_t)len);
}

static void release_if_done(struct run *r) {
  if (r->reaped && r->fd < 0) r->pid = 0;
}

/*
 * The child: system calls only (after vfork it shares this process's memory), then exec, or
 * its failed step and errno on `err` (close-on-exec, so an exec that works closes it) and
 * _exit(127). `procs`: the cgroup.procs file to enter, "" when it was born in its cgroup.
 */
static void child(int out, int err, const char *procs, const char *uid, const char *gid,
                  const char *file, char **argv, char **envp) {
  int stage = S_SETSID;
  if (setsid() < 0) goto fail;
  if (*procs) {
    stage = S_CGROUP;
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0) goto fail;
    if (write(fd, "0", 1) != 1) goto fail;
    close(fd);
  }
  if (*uid || *gid) {
    /* As libuv does for spawn() with uid/gid: drop supplementary groups, then the ids. */
    (void)setgroups(0, NULL);
    stage = S_SETGID;
    if (*gid && setgid((gid_t)strtoul(gid, NULL, 10)) < 0) goto fail;
    stage = S_SETUID;
    if (*uid && setuid((uid_t)strtoul(uid, NULL, 10)) < 0) goto fail;
  }
  stage = S_STDIO;
  if (dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) goto fail;
  /* Default dispositions and an empty mask, whatever this process ignores or blocks. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGPIPE, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  stage = S_EXEC;
  execve(file, argv, envp);
fail:;
  int report[2] = {stage, errno};
  (void)!write(err, report, sizeof report);
  _exit(127);
}

/*
 * Starts the child with clone3 into the cgroup whose cgroup.procs is `procs` (the parent
 * waits until it has exec'd or exited, as with vfork), or with vfork when there is no cgroup
 * or clone3 cannot do it; -1 with errno when neither could start it.
 */
static pid_t start_child(int out, int err, const char *procs, const char *uid, const char *gid,
                         const char *file, char **argv, char **envp) {
  if (*procs && clone3_works) {
    char dir[4096];
    size_t len = strlen(procs);
    const char *suffix = "/cgroup.procs";
    size_t cut = strlen(suffix);
    int cgroup = -1;
    if (len > cut && len - cut < sizeof dir && strcmp(procs + len - cut, suffix) == 0) {
      memcpy(dir, procs, len - cut);
      dir[len - cut] = 0;
      cgroup = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (cgroup >= 0) {
      struct clone3_args args;
      memset(&args, 0, sizeof args);
      args.flags = CLONE3_VFORK | CLONE3_INTO_CGROUP;
      args.exit_signal = SIGCHLD;
      args.cgroup = (unsigned long long)cgroup;
      pid_t pid;
      int saved;
#if CLONE3_SHARED
      args.flags |= CLONE3_VM;
      long ret = clone3_inline(&args);
      pid = ret < 0 ? -1 : (pid_t)ret;
      saved = ret < 0 ? (int)-ret : 0;
#else
      pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
      saved = errno;
#endif
      if (pid == 0) child(out, err, "", uid, gid, file, argv, envp);
      close(cgroup);
      if (pid > 0) return pid;
      /* An older kernel (no clone3, or no CLONE_INTO_CGROUP): vfork from now on. */
      if (saved == ENOSYS || saved == EINVAL || saved == E2BIG) clone3_works = 0;
      else {
        errno = saved;
        return -1;
      }
    }
  }
  pid_t pid = vfork();
  if (pid == 0) child(out, err, procs, uid, gid, file, argv, envp);
  return pid;
}

static struct run *find(long id) {
  for (int i = 0; i < MAX_RUNS; i++)
    if (runs[i].pid && runs[i].id == id) return &runs[i];
  return NULL;
}

/* f: S id procs uid gid cap file argc argv... envc env... */
static void start(char **f) {
  long id = atol(f[1]);
  int argc = atoi(f[7]);
  int envc = atoi(f[8 + argc]);
  struct run *r = NULL;
  for (int i = 0; i < MAX_RUNS && !r; i++)
    if (!runs[i].pid) r = &runs[i];
  if (!r) {
    reply_failed(id, S_SLOT, EAGAIN);
    return;
  }
  char **argv = calloc((size_t)argc + 1, sizeof(char *));
  char **envp = calloc((size_t)envc + 1, sizeof(char *));
  int p[2], e[2];
  if (!argv || !envp || pipe2(p, O_CLOEXEC) < 0) {
    reply_failed(id, S_PIPE, errno);
    free(argv);
    free(envp);
    return;
  }
  if (pipe2(e, O_CLOEXEC) < 0) {
    reply_failed(id, S_PIPE, errno);
    close(p[0]);
    close(p[1]);
    free(argv);
    free(envp);
    return;
  }
  memcpy(argv, &f[8], sizeof(char *) * (size_t)argc);
  memcpy(envp, &f[9 + argc], sizeof(char *) * (size_t)envc);
  pid_t pid = start_child(p[1], e[1], f[2], f[3], f[4], f[6], argv, envp);
  int spawn_errno = errno;
  close(p[1]);
  close(e[1]);
  free(argv);
  free(envp);
  /* Back here once the child has exec'd (its end of e closed) or reported and exited. */
  int report[2] = {0, 0};
  ssize_t got = pid < 0 ? 0 : read(e[0], report, sizeof report);
  close(e[0]);
  if (pid < 0 || got == (ssize_t)sizeof report) {
    close(p[0]);
    if (pid > 0) waitpid(pid, NULL, 0);
    if (pid < 0) reply_failed(id, S_VFORK, spawn_errno);
    else reply_failed(id, report[0], report[1]);
    return;
  }
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  *r = (struct run){.id = id, .pid = pid, .fd = p[0], .reaped = 0, .cap = atol(f[5]), .total = 0};
  replyf("P %ld %ld\n", id, pid, 0);
}

static void close_output(struct run *r) {
  close(r->fd);
  r->fd = -1;
  replyf("D %ld %ld\n", r->id, r->total, 0);
  release_if_done(r);
}

static void relay(struct run *r) {
  char chunk[65536];
  ssize_t n = read(r->fd, chunk, sizeof chunk);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    close_output(r);
    return;
  }
  r->total += n;
  long part = n < r->cap ? n : r->cap;
  if (part <= 0) return;
  r->cap -= part;
  replyf("O %ld %ld\n", r->id, part, 0);
  reply(chunk, (size_t)part);
}

/* r: the run while this process still holds its record (NULL once it is reaped and closed). */
static void signal_group(struct run *r, pid_t pgid, int signo) {
  if (r && !r->reaped) {
    kill(-r->pid, signo);
    return;
  }
  /* Reaped: only while no process has the PID (see the top of this file). */
  if (kill(pgid, 0) < 0 && errno == ESRCH) kill(-pgid, signo);
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (int i = 0; i < MAX_RUNS; i++) {
      struct run *r = &runs[i];
      if (r->pid != pid || r->reaped) continue;
      r->reaped = 1;
      if (WIFSIGNALED(status)) replyf("X %ld %ld %ld\n", r->id, -1, WTERMSIG(status));
      else replyf("X %ld %ld %ld\n", r->id, WEXITSTATUS(status), 0);
      release_if_done(r);
    }
  }
}

/* How many fields the request at f takes, given n of them are at hand; 0: not yet known. */
static size_t request_size(char **f, size_t n) {
  if (n < 1) return 0;
  if (f[0][0] == 'K') return 4;
  if (f[0][0] == 'C') return 2;
  if (n < 8) return 0;
  size_t argc = (size_t)atol(f[7]);
  if (n < 9 + argc) return 0;
  return 9 + argc + (size_t)atol(f[8 + argc]);
}

/* Handles every complete request at the front of buf; returns the bytes used. */
static size_t requests(char *buf, size_t len) {
  static char *f[MAX_FIELDS];
  size_t used = 0;
  for (;;) {
    size_t n = 0, at = used, need = 0;
    for (;;) {
      need = request_size(f, n);
      if (need && n >= need) break;
      if (n >= MAX_FIELDS) _exit(3); /* a request this big is not the daemon's */
      char *end = memchr(buf + at, 0, len - at);
      if (!end) return used;
      f[n++] = buf + at;
      at = (size_t)(end - buf) + 1;
    }
    used = at;
    struct run *r;
    switch (f[0][0]) {
    case 'S':
      start(f);
      break;
    case 'K':
      r = find(atol(f[1]));
      if (atol(f[2]) > 1 && (!r || r->pid == (pid_t)atol(f[2]))) signal_group(r, (pid_t)atol(f[2]), atoi(f[3]));
      break;
    case 'C':
      if ((r = find(atol(f[1]))) && r->fd >= 0) close_output(r);
      break;
    default:
      _exit(3);
    }
  }
}

int main(void) {
  struct sigaction ignore;
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, NULL); /* EPIPE on stdout says the daemon is gone */
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (sfd < 0 || devnull < 0) return 1;
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  if (!buf) return 1;
  static const char ready[] = "R healthcheckd-spawn-helper 1\n";
  reply(ready, sizeof ready - 1);
  static struct pollfd p[MAX_RUNS + 2];
  static struct run *of[MAX_RUNS + 2];
  for (;;) {
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
      if (cap - len < 65536) {
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) kill_all_and_exit();
        buf = bigger;
        cap *= 2;
      }
      ssize_t got = read(0, buf + len, cap - len);
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) kill_all_and_exit();
      if (got > 0) {
        len += (size_t)got;
        size_t used = requests(buf, len);
        memmove(buf, buf + used, len - used);
        len -= used;
      }
    }
  }
}
