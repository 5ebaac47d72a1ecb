// Command imageinfo prints an image's layers and sizes from the local
// registry: compressed and uncompressed, and the part beyond its runtime
// base (layers the base image does not have).
//
//	go run ./hack/imageinfo 127.0.0.1:5000/examples/node-yarn:latest [BASE-REF]
package main

import (
	"fmt"
	"os"

	"github.com/stagefile/stagefile/internal/image"
)

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: imageinfo HOST:PORT/REPO:TAG [HOST:PORT/BASE:TAG]")
		os.Exit(2)
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "imageinfo:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	img, err := image.FromRegistry(args[0])
	if err != nil {
		return err
	}
	inBase := map[string]bool{}
	if len(args) == 2 {
		base, err := image.FromRegistry(args[1])
		if err != nil {
			return err
		}
		for _, l := range base.Layers {
			inBase[l.Digest] = true
		}
	}
	fmt.Println(args[0])
	var addedC, addedU int64
	for i, l := range img.Layers {
		u := l.FileBytes()
		what := "runtime base"
		if len(args) == 2 && !inBase[l.Digest] {
			what = "added by the build"
			addedC += l.Size
			addedU += u
		}
		if h := history(img, i); h != "" && what != "runtime base" {
			what += ": " + h
		}
		fmt.Printf("  layer %d  %8.2f MB compressed  %8.2f MB uncompressed  %s\n", i, mb(l.Size), mb(u), what)
	}
	fmt.Printf("  total    %8.2f MB compressed  %8.2f MB uncompressed\n", mb(img.CompressedSize()), mb(img.UncompressedSize()))
	if len(args) == 2 {
		fmt.Printf("  beyond the runtime base: %.2f MB compressed, %.2f MB uncompressed\n", mb(addedC), mb(addedU))
	}
	return nil
}

// history is the created_by of the i-th non-empty layer.
func history(img *image.Image, i int) string {
	n := 0
	for _, h := range img.Config.History {
		if h.EmptyLayer {
			continue
		}
		if n == i {
			return h.CreatedBy
		}
		n++
	}
	return ""
}

func mb(n int64) float64 { return float64(n) / 1e6 }
