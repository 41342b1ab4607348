/* The smallest managed plugin the engine will enable: it listens on the
 * socket its config.json names and answers every request with the
 * activation a volume driver gives. Built static (`cc -static`) into the
 * plugin's rootfs by the tests, so the rootfs needs nothing else. */
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char reply[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/vnd.docker.plugins.v1+json\r\n"
    "Content-Length: 31\r\n"
    "Connection: close\r\n"
    "\r\n"
    "{\"Implements\":[\"VolumeDriver\"]}";

/* The stub is PID 1 of its namespace, where a signal with no handler is
 * ignored: without this, the engine's SIGTERM on disable or removal would
 * not stop it, and the process would outlive its daemon. */
static void stop(int signal) {
    (void)signal;
    _exit(0);
}

int main(void) {
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    const char *path = "/run/docker/plugins/stub.sock";
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
    mkdir("/run", 0755);
    mkdir("/run/docker", 0755);
    mkdir("/run/docker/plugins", 0755);
    unlink(path);
    int server = socket(AF_UNIX, SOCK_STREAM, 0);
    if (server < 0 || bind(server, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(server, 16) < 0)
        return 1;
    for (;;) {
        int peer = accept(server, 0, 0);
        if (peer < 0)
            continue;
        char request[4096];
        (void)read(peer, request, sizeof request);
        (void)write(peer, reply, sizeof reply - 1);
        close(peer);
    }
}
