"""MapProxy 1.15 for the differential runner: serves one configuration on 127.0.0.1, port 0,
threaded, and prints `listening <port>` once it accepts connections. With --check it only loads
the configuration and exits 0 (loads) or 1 (refused)."""
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from mapproxy.wsgiapp import make_wsgi_app


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main():
    args = sys.argv[1:]
    check = '--check' in args
    config = [a for a in args if not a.startswith('--')][0]
    try:
        app = make_wsgi_app(config, ignore_config_warnings=True)
    except BaseException as error:  # MapProxy raises SystemExit for some config errors
        print('refused: %s' % (error,), flush=True)
        sys.exit(1)
    if check:
        print('loads', flush=True)
        return
    server = make_server('127.0.0.1', 0, app, server_class=ThreadingServer, handler_class=QuietHandler)
    print('listening %d' % server.server_port, flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.serve_forever()


if __name__ == '__main__':
    main()
