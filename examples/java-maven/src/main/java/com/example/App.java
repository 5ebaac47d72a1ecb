package com.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A small HTTP service: GET /health answers ok, GET / greets. */
public final class App {
  private static final Logger log = LoggerFactory.getLogger(App.class);

  private App() {}

  /** Starts the server on port (0: any free port); stop() it when done. */
  public static HttpServer start(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/health", ex -> reply(ex, 200, "ok\n"));
    server.createContext("/", ex -> reply(ex, 200, Greeting.of(ex.getRequestURI().getQuery()) + "\n"));
    server.start();
    return server;
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
    HttpServer server = start(port);
    // java is PID 1: docker stop's SIGTERM runs this hook, which closes the server
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping");
      server.stop(1);
    }));
    log.info("listening on :{}", server.getAddress().getPort());
  }
}
