package com.example;

/** The greeting for a query string such as name=Ada. */
final class Greeting {
  private Greeting() {}

  static String of(String query) {
    String name = "world";
    if (query != null) {
      for (String kv : query.split("&")) {
        if (kv.startsWith("name=") && kv.length() > 5) {
          name = kv.substring(5);
        }
      }
    }
    return "hello, " + name;
  }
}
