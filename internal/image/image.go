// Package image reads built images for inspection: from a plain-HTTP
// registry (the local test registry) or an OCI layout tarball (buildctl
// --output type=oci). Tests, the benchmark and hack/imageinfo use it to look
// inside what the frontend produced.
package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"sort"
	"strings"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/pkg/errors"
)

// Image is an image's config and layers.
type Image struct {
	Config dockerspec.DockerOCIImage
	Layers []Layer
}

// Layer is one layer: its digest and compressed size as stored, and its
// uncompressed tar stream.
type Layer struct {
	Digest string
	Size   int64
	Tar    []byte
}

// File is a path in the image's merged filesystem.
type File struct {
	Header *tar.Header
	Data   []byte
	Layer  int
}

const acceptManifests = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, " +
	"application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"

// fetcher gets a manifest or blob by digest (or a manifest by tag).
type fetcher func(kind, name string) ([]byte, error)

// ErrNotFound is returned when the registry does not have the image.
var ErrNotFound = errors.New("image not found")

// FromRegistry reads ref ("host:port/repo:tag") for linux/amd64 over plain HTTP.
func FromRegistry(ref string) (*Image, error) {
	return FromRegistryFor(ref, "linux/amd64")
}

// FromRegistryFor reads ref's image for platform ("linux/arm64").
func FromRegistryFor(ref, platform string) (*Image, error) {
	top, _, get, err := topManifest(ref)
	if err != nil {
		return nil, err
	}
	return read(top, get, platform)
}

// topManifest reads what ref's tag points at, as bytes and as an index
// (with no entries when it is a plain manifest).
func topManifest(ref string) ([]byte, *ocispecs.Index, fetcher, error) {
	get, tag, err := registry(ref)
	if err != nil {
		return nil, nil, nil, err
	}
	top, err := get("manifests", tag)
	if err != nil {
		return nil, nil, nil, errors.Wrapf(err, "reading %s", ref)
	}
	var index ocispecs.Index
	if err := json.Unmarshal(top, &index); err != nil {
		return nil, nil, nil, errors.Wrapf(err, "parsing %s's manifest", ref)
	}
	return top, &index, get, nil
}

// Platforms lists the platforms of ref's index ("linux/arm64/v8"), without
// attestation manifests; a plain manifest gives none.
func Platforms(ref string) ([]string, error) {
	_, index, _, err := topManifest(ref)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range index.Manifests {
		if d.Platform == nil || d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			continue
		}
		out = append(out, platformString(*d.Platform))
	}
	sort.Strings(out)
	return out, nil
}

func platformString(p ocispecs.Platform) string {
	return path.Join(p.OS, p.Architecture, p.Variant)
}

// matches reports whether an index entry is of platform ("linux/arm64"
// matches an entry with variant v8 too).
func matches(p *ocispecs.Platform, platform string) bool {
	if p == nil {
		return false
	}
	s := platformString(*p)
	return s == platform || strings.HasPrefix(s, platform+"/")
}

// Digest is the digest of ref's linux/amd64 image manifest (its index's
// entry, or ref's own manifest).
func Digest(ref string) (string, error) {
	top, index, _, err := topManifest(ref)
	if err != nil {
		return "", err
	}
	for _, d := range index.Manifests {
		if matches(d.Platform, "linux/amd64") {
			return d.Digest.String(), nil
		}
	}
	return digest.FromBytes(top).String(), nil
}

// Attestations reads the in-toto statements attached to ref's index (the
// attestation manifests buildx and buildctl push), by predicate type: the
// linux/amd64 image's.
func Attestations(ref string) (map[string][]byte, error) {
	return AttestationsFor(ref, "linux/amd64")
}

// AttestationsFor reads the in-toto statements of ref's image for
// platform, by predicate type.
func AttestationsFor(ref, platform string) (map[string][]byte, error) {
	_, index, get, err := topManifest(ref)
	if err != nil {
		return nil, err
	}
	subject := ""
	for _, d := range index.Manifests {
		if matches(d.Platform, platform) && d.Annotations["vnd.docker.reference.type"] == "" {
			subject = d.Digest.String()
		}
	}
	out := map[string][]byte{}
	for _, d := range index.Manifests {
		if d.Annotations["vnd.docker.reference.type"] != "attestation-manifest" || d.Annotations["vnd.docker.reference.digest"] != subject {
			continue
		}
		dt, err := get("manifests", d.Digest.String())
		if err != nil {
			return nil, err
		}
		var m ocispecs.Manifest
		if err := json.Unmarshal(dt, &m); err != nil {
			return nil, errors.Wrap(err, "parsing an attestation manifest")
		}
		for _, l := range m.Layers {
			blob, err := get("blobs", l.Digest.String())
			if err != nil {
				return nil, err
			}
			out[l.Annotations["in-toto.io/predicate-type"]] = blob
		}
	}
	return out, nil
}

// registry is a fetcher for ref's repository, and ref's tag.
func registry(ref string) (fetcher, string, error) {
	host, repo, tag, err := splitRef(ref)
	if err != nil {
		return nil, "", err
	}
	get := func(kind, name string) ([]byte, error) {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/v2/%s/%s/%s", host, repo, kind, name), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", acceptManifests)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound {
			return nil, errors.Wrapf(ErrNotFound, "GET %s %s", kind, name)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, errors.Errorf("GET %s %s: %s", kind, name, resp.Status)
		}
		return io.ReadAll(resp.Body)
	}
	return get, tag, nil
}

// Exists reports whether the registry has ref.
func Exists(ref string) (bool, error) {
	_, err := FromRegistry(ref)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// FromOCILayout reads the image in an OCI layout tarball.
func FromOCILayout(tarPath string) (*Image, error) {
	f, err := os.Open(tarPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errors.Wrapf(err, "reading %s", tarPath)
		}
		if files[h.Name], err = io.ReadAll(tr); err != nil {
			return nil, err
		}
	}
	var index ocispecs.Index
	if err := json.Unmarshal(files["index.json"], &index); err != nil || len(index.Manifests) == 0 {
		return nil, errors.Errorf("%s is not an OCI layout with an image", tarPath)
	}
	blob := func(_, dgst string) ([]byte, error) {
		dt, ok := files["blobs/"+strings.Replace(dgst, ":", "/", 1)]
		if !ok {
			return nil, errors.Errorf("blob %s not in %s", dgst, tarPath)
		}
		return dt, nil
	}
	top, err := blob("", index.Manifests[0].Digest.String())
	if err != nil {
		return nil, err
	}
	return read(top, blob, "linux/amd64")
}

// read resolves an index to its manifest for platform, then reads the
// config and every layer.
func read(manifest []byte, get fetcher, platform string) (*Image, error) {
	var probe struct {
		Manifests []ocispecs.Descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(manifest, &probe); err != nil {
		return nil, errors.Wrap(err, "parsing manifest")
	}
	if len(probe.Manifests) > 0 {
		chosen := ""
		for _, d := range probe.Manifests {
			if matches(d.Platform, platform) {
				chosen = d.Digest.String()
				break
			}
		}
		if chosen == "" {
			return nil, errors.Errorf("no %s image in the index", platform)
		}
		var err error
		if manifest, err = get("manifests", chosen); err != nil {
			return nil, err
		}
	}
	var m ocispecs.Manifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		return nil, errors.Wrap(err, "parsing manifest")
	}
	img := &Image{}
	cfg, err := get("blobs", m.Config.Digest.String())
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(cfg, &img.Config); err != nil {
		return nil, errors.Wrap(err, "parsing config")
	}
	for _, l := range m.Layers {
		dt, err := get("blobs", l.Digest.String())
		if err != nil {
			return nil, err
		}
		if strings.Contains(l.MediaType, "gzip") {
			zr, err := gzip.NewReader(bytes.NewReader(dt))
			if err != nil {
				return nil, errors.Wrapf(err, "layer %s", l.Digest)
			}
			if dt, err = io.ReadAll(zr); err != nil {
				return nil, errors.Wrapf(err, "layer %s", l.Digest)
			}
		}
		img.Layers = append(img.Layers, Layer{Digest: l.Digest.String(), Size: l.Size, Tar: dt})
	}
	return img, nil
}

// Files is the merged filesystem: later layers win, whiteouts delete.
func (img *Image) Files() (map[string]*File, error) {
	out := map[string]*File{}
	for i, layer := range img.Layers {
		tr := tar.NewReader(bytes.NewReader(layer.Tar))
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, errors.Wrapf(err, "layer %d", i)
			}
			name := path.Clean(strings.TrimPrefix(h.Name, "./"))
			dir, base := path.Split(name)
			switch {
			case base == ".wh..wh..opq":
				for p := range out {
					if strings.HasPrefix(p, dir) {
						delete(out, p)
					}
				}
				continue
			case strings.HasPrefix(base, ".wh."):
				gone := path.Join(dir, strings.TrimPrefix(base, ".wh."))
				for p := range out {
					if p == gone || strings.HasPrefix(p, gone+"/") {
						delete(out, p)
					}
				}
				continue
			}
			dt, err := io.ReadAll(tr)
			if err != nil {
				return nil, err
			}
			out[name] = &File{Header: h, Data: dt, Layer: i}
		}
	}
	return out, nil
}

// Under lists the paths below dir, sorted.
func Under(files map[string]*File, dir string) []string {
	var out []string
	for p := range files {
		if strings.HasPrefix(p, dir+"/") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// CompressedSize is the sum of the layers as stored.
func (img *Image) CompressedSize() int64 {
	var n int64
	for _, l := range img.Layers {
		n += l.Size
	}
	return n
}

// UncompressedSize is the sum of the file sizes in every layer.
func (img *Image) UncompressedSize() int64 {
	var n int64
	for _, l := range img.Layers {
		n += l.FileBytes()
	}
	return n
}

// FileBytes is the sum of the file sizes in the layer.
func (l Layer) FileBytes() int64 {
	var n int64
	tr := tar.NewReader(bytes.NewReader(l.Tar))
	for {
		h, err := tr.Next()
		if err != nil {
			return n
		}
		n += h.Size
	}
}

// splitRef splits "host:port/repo:tag".
func splitRef(ref string) (host, repo, tag string, err error) {
	host, rest, ok := strings.Cut(ref, "/")
	i := strings.LastIndex(rest, ":")
	if !ok || i < 0 {
		return "", "", "", errors.Errorf("%q is not HOST/REPO:TAG", ref)
	}
	return host, rest[:i], rest[i+1:], nil
}
