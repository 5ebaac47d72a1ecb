// line formats one log line the same way in every app: ISO time, app, message.
export function line(app: string, message: string, now: Date = new Date()): string {
  return `${now.toISOString()} ${app}: ${message}`;
}

export function log(app: string, message: string): void {
  console.log(line(app, message));
}
