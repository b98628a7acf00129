/* Bench client for portmappers (RFC 1833), built at bench time against libtirpc:
 *   pmap-client HOST PORT tcp|udp null|getport SECONDS CLIENTS
 * Forks CLIENTS processes; each makes back-to-back calls on one CLIENT handle for SECONDS and
 * reports its count; the parent prints the total calls per second and the number of calls. */
#include <arpa/inet.h>
#include <rpc/rpc.h>
#include <rpc/pmap_prot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long run_one(const char *host, int port, int tcp, int getport, double seconds) {
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = inet_addr(host);
  int sock = RPC_ANYSOCK;
  struct timeval wait = {5, 0};
  CLIENT *c = tcp ? clnttcp_create(&addr, PMAPPROG, PMAPVERS, &sock, 0, 0)
                  : clntudp_create(&addr, PMAPPROG, PMAPVERS, wait, &sock);
  if (!c) {
    clnt_pcreateerror("pmap-client");
    return -1;
  }
  struct pmap map = {PMAPPROG, PMAPVERS, IPPROTO_TCP, 0};
  long n = 0;
  double end = now() + seconds;
  while (1) {
    for (int i = 0; i < 100; i++) {
      enum clnt_stat st;
      if (getport) {
        u_long port_out = 0;
        st = clnt_call(c, PMAPPROC_GETPORT, (xdrproc_t)xdr_pmap, (caddr_t)&map, (xdrproc_t)xdr_u_long,
                       (caddr_t)&port_out, wait);
      } else {
        st = clnt_call(c, NULLPROC, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL, wait);
      }
      if (st != RPC_SUCCESS) {
        clnt_perror(c, "pmap-client");
        return -1;
      }
      n++;
    }
    if (now() >= end) break;
  }
  clnt_destroy(c);
  return n;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: pmap-client HOST PORT tcp|udp null|getport SECONDS CLIENTS\n");
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  int tcp = strcmp(argv[3], "tcp") == 0;
  int getport = strcmp(argv[4], "getport") == 0;
  double seconds = atof(argv[5]);
  int clients = atoi(argv[6]);
  int fds[64][2];
  if (clients < 1 || clients > 64) return 2;
  double t0 = now();
  for (int i = 0; i < clients; i++) {
    if (pipe(fds[i]) != 0) return 1;
    if (fork() == 0) {
      long n = run_one(host, port, tcp, getport, seconds);
      if (write(fds[i][1], &n, sizeof n) != sizeof n) _exit(1);
      _exit(n < 0 ? 1 : 0);
    }
  }
  long total = 0;
  int failed = 0;
  for (int i = 0; i < clients; i++) {
    long n = -1;
    if (read(fds[i][0], &n, sizeof n) != sizeof n || n < 0) failed = 1;
    else total += n;
  }
  while (wait(NULL) > 0) {
  }
  double elapsed = now() - t0;
  if (failed) return 1;
  printf("%.0f %ld\n", total / elapsed, total);
  return 0;
}
