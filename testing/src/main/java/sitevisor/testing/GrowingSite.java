package sitevisor.testing;

/**
 * A web site that grows its memory on request, as a Python program: it listens on the port given
 * as its argument, answers {@code GET /} with its pid, and {@code GET /grow?mb=N} by holding N more
 * megabytes, each page written, until it ends. It starts small (a few megabytes) and exits 0 on
 * SIGTERM.
 */
public final class GrowingSite {
    private GrowingSite() {}

    /** The program's source, for {@code python3 -c} or a file. */
    public static String script() {
        return """
                import http.server, os, signal, sys
                held = []
                class Handler(http.server.BaseHTTPRequestHandler):
                    def do_GET(self):
                        if self.path.startswith('/grow?mb='):
                            block = bytearray(int(self.path.split('=', 1)[1]) * 1024 * 1024)
                            for i in range(0, len(block), 4096):
                                block[i] = 1
                            held.append(block)
                        body = ('pid %d holding %d MB\\n' % (os.getpid(), sum(len(b) for b in held) // 1048576)).encode()
                        self.send_response(200)
                        self.send_header('Content-Length', str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    def log_message(self, *args):
                        pass
                signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
                http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()
                """;
    }
}
