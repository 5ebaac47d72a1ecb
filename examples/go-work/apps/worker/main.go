// Command worker reads job titles, one a line, from standard input and
// prints the name of each job's output; it stops at the end of the input
// or on SIGTERM.
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	in := bufio.NewScanner(os.Stdin)
	for ctx.Err() == nil && in.Scan() {
		fmt.Println(slug(in.Text()))
	}
}
