/* loadgen: the load client for netkit's classic-service benches (RFC 862-868 servers).
 * One program measures every server the same way. Modes (all print one JSON line):
 *   conn      HOST PORT PARALLEL SECONDS          connect, read to EOF, close; count per second
 *   read      HOST PORT CONNS SECONDS             read as fast as possible (chargen); bytes/s
 *   write     HOST PORT CONNS SECONDS             write 16 KiB chunks (discard); bytes/s
 *   echo      HOST PORT CONNS SECONDS INFLIGHT    keep INFLIGHT bytes outstanding; echoed bytes/s
 *   pingpong  HOST PORT SECONDS SIZE              one SIZE-byte message at a time; round trips/s
 *   udpecho   HOST PORT SOCKETS INFLIGHT SECONDS SIZE   datagrams in flight per socket; replies/s
 * HOST may be IPv4 or IPv6. Each worker is a thread with blocking or polled sockets.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_storage addr;
static socklen_t addrlen;
static int family;
static double seconds;
static long inflight, msgsize;
static atomic_long total, errors, lost;
static atomic_int stop;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_addr(const char *host, int port) {
  memset(&addr, 0, sizeof addr);
  struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(port);
    addrlen = sizeof *a4;
    family = AF_INET;
    return 0;
  }
  if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(port);
    addrlen = sizeof *a6;
    family = AF_INET6;
    return 0;
  }
  return -1;
}

static int tcp_connect(void) {
  int fd = socket(family, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr *)&addr, addrlen) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void *w_conn(void *arg) {
  (void)arg;
  char buf[4096];
  while (!atomic_load(&stop)) {
    int fd = tcp_connect();
    if (fd < 0) {
      atomic_fetch_add(&errors, 1);
      usleep(1000);
      continue;
    }
    ssize_t n;
    long got = 0;
    while ((n = read(fd, buf, sizeof buf)) > 0) got += n;
    close(fd);
    if (n < 0 || got == 0) atomic_fetch_add(&errors, 1);
    else atomic_fetch_add(&total, 1);
  }
  return NULL;
}

static void *w_read(void *arg) {
  (void)arg;
  static __thread char buf[1 << 18];
  int fd = tcp_connect();
  if (fd < 0) {
    atomic_fetch_add(&errors, 1);
    return NULL;
  }
  long mine = 0;
  while (!atomic_load(&stop)) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      atomic_fetch_add(&errors, 1);
      break;
    }
    mine += n;
  }
  atomic_fetch_add(&total, mine);
  close(fd);
  return NULL;
}

static void *w_write(void *arg) {
  (void)arg;
  static __thread char buf[16384];
  memset(buf, 'a', sizeof buf);
  int fd = tcp_connect();
  if (fd < 0) {
    atomic_fetch_add(&errors, 1);
    return NULL;
  }
  long mine = 0;
  while (!atomic_load(&stop)) {
    ssize_t n = write(fd, buf, sizeof buf);
    if (n <= 0) {
      atomic_fetch_add(&errors, 1);
      break;
    }
    mine += n;
  }
  atomic_fetch_add(&total, mine);
  close(fd);
  return NULL;
}

static void *w_echo(void *arg) {
  (void)arg;
  static __thread char out[65536], in[1 << 18];
  memset(out, 'e', sizeof out);
  int fd = tcp_connect();
  if (fd < 0) {
    atomic_fetch_add(&errors, 1);
    return NULL;
  }
  long sent = 0, recvd = 0;
  struct pollfd p = {.fd = fd};
  while (!atomic_load(&stop)) {
    p.events = POLLIN | (sent - recvd < inflight ? POLLOUT : 0);
    if (poll(&p, 1, 100) <= 0) continue;
    if (p.revents & POLLIN) {
      ssize_t n = recv(fd, in, sizeof in, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN)) {
        atomic_fetch_add(&errors, 1);
        break;
      }
      if (n > 0) recvd += n;
    }
    if ((p.revents & POLLOUT) && sent - recvd < inflight) {
      long room = inflight - (sent - recvd);
      if (room > (long)sizeof out) room = sizeof out;
      ssize_t n = send(fd, out, room, MSG_DONTWAIT);
      if (n > 0) sent += n;
    }
  }
  atomic_fetch_add(&total, recvd);
  close(fd);
  return NULL;
}

static void *w_pingpong(void *arg) {
  (void)arg;
  char *out = malloc(msgsize), *in = malloc(msgsize);
  memset(out, 'p', msgsize);
  int fd = tcp_connect();
  if (fd < 0) {
    atomic_fetch_add(&errors, 1);
    return NULL;
  }
  long trips = 0;
  while (!atomic_load(&stop)) {
    if (write(fd, out, msgsize) != msgsize) break;
    long got = 0;
    while (got < msgsize) {
      ssize_t n = read(fd, in + got, msgsize - got);
      if (n <= 0) goto done;
      got += n;
    }
    trips++;
  }
done:
  atomic_fetch_add(&total, trips);
  close(fd);
  free(out);
  free(in);
  return NULL;
}

static void *w_udpecho(void *arg) {
  (void)arg;
  char out[65536], in[65536];
  memset(out, 'u', sizeof out);
  int fd = socket(family, SOCK_DGRAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, addrlen) < 0) {
    atomic_fetch_add(&errors, 1);
    return NULL;
  }
  uint64_t seq = 0;
  long replies = 0, outstanding = 0;
  double last = now();
  struct pollfd p = {.fd = fd, .events = POLLIN};
  while (!atomic_load(&stop)) {
    while (outstanding < inflight) {
      /* Distinct payloads: a sequence number in front, so replies are never identical in a row. */
      memcpy(out, &seq, sizeof seq);
      seq++;
      if (send(fd, out, msgsize, 0) == msgsize) outstanding++;
      else break;
    }
    int r = poll(&p, 1, 20);
    if (r > 0) {
      while (recv(fd, in, sizeof in, MSG_DONTWAIT) > 0) {
        replies++;
        outstanding--;
        last = now();
      }
    } else if (now() - last > 0.2) {
      /* Nothing back for 200 ms: count the outstanding ones as lost and refill. */
      atomic_fetch_add(&lost, outstanding);
      outstanding = 0;
      last = now();
    }
  }
  atomic_fetch_add(&total, replies);
  close(fd);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: loadgen MODE HOST PORT ...\n");
    return 2;
  }
  const char *mode = argv[1];
  if (parse_addr(argv[2], atoi(argv[3])) < 0) {
    fprintf(stderr, "loadgen: bad address %s\n", argv[2]);
    return 2;
  }
  int workers = 1;
  void *(*fn)(void *) = NULL;
  if (!strcmp(mode, "conn")) fn = w_conn, workers = atoi(argv[4]), seconds = atof(argv[5]);
  else if (!strcmp(mode, "read")) fn = w_read, workers = atoi(argv[4]), seconds = atof(argv[5]);
  else if (!strcmp(mode, "write")) fn = w_write, workers = atoi(argv[4]), seconds = atof(argv[5]);
  else if (!strcmp(mode, "echo") && argc >= 7)
    fn = w_echo, workers = atoi(argv[4]), seconds = atof(argv[5]), inflight = atol(argv[6]);
  else if (!strcmp(mode, "pingpong") && argc >= 6) fn = w_pingpong, seconds = atof(argv[4]), msgsize = atol(argv[5]);
  else if (!strcmp(mode, "udpecho") && argc >= 8)
    fn = w_udpecho, workers = atoi(argv[4]), inflight = atol(argv[5]), seconds = atof(argv[6]), msgsize = atol(argv[7]);
  if (!fn || workers < 1 || workers > 4096 || seconds <= 0 || (fn == w_udpecho && (msgsize < 8 || msgsize > 65507)) ||
      (fn == w_pingpong && (msgsize < 1 || msgsize > 1 << 20))) {
    fprintf(stderr, "loadgen: bad arguments for mode %s\n", mode);
    return 2;
  }
  pthread_t *t = calloc(workers, sizeof *t);
  double t0 = now();
  for (int i = 0; i < workers; i++) pthread_create(&t[i], NULL, fn, NULL);
  struct timespec ts = {(time_t)seconds, (long)((seconds - (long)seconds) * 1e9)};
  nanosleep(&ts, NULL);
  atomic_store(&stop, 1);
  double elapsed = now() - t0;
  /* Workers blocked on a dead server would never return: give them a moment, then report anyway. */
  for (int i = 0; i < workers; i++) {
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 2;
    pthread_timedjoin_np(t[i], NULL, &dl);
  }
  long tot = atomic_load(&total);
  /* The client's own CPU time (all threads), so a bench can tell what the load itself costs. */
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
  printf("{\"mode\":\"%s\",\"total\":%ld,\"seconds\":%.4f,\"rate\":%.1f,\"errors\":%ld,\"lost\":%ld,\"cpu_us\":%.0f}\n",
         mode, tot, elapsed, tot / elapsed, atomic_load(&errors), atomic_load(&lost), cpu_us);
  fflush(stdout);
  _exit(0);
}
