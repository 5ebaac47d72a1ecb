package plan

import (
	"errors"
	"fmt"
	"strings"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"

	"github.com/stagefile/stagefile/spec"
)

// Provider is a preset: it fills what a Stagefile leaves out for one
// ecosystem, from files of the build context and facts about images.
type Provider interface {
	// Name is what `preset:` says.
	Name() string
	// Files lists the context files Fill may read, relative to the
	// context; only these are fetched. A name with a wildcard (path.Match
	// syntax, e.g. "cmd/*/*.go") stands for the files it matches, at most
	// MaxMatches of them, each under its own name in Facts.Files. It is
	// asked again with the files read so far (read), at most FileRounds
	// times in all, until it names nothing new: a workspace's packages are
	// known from its root manifest.
	Files(p *Plan, read map[string][]byte) []string
	// Fill sets every value of p that is still unset and that the
	// provider can tell; it never changes a set value. Values it sets
	// carry Origin{Kind: Preset}. Its warnings use its Rules.
	Fill(p *Plan, f *Facts) ([]*Warning, error)
	// Rules are the lint rules of the provider's warnings.
	Rules() []*Rule
	// Ecosystem is what the core needs to know of the ecosystem's tools.
	Ecosystem() Ecosystem
}

// PackageLister is a Provider that can also list, from a Stagefile's own
// manifests, the packages its production install puts in place: the SBOM
// of a Stagefile that names no preset.
type PackageLister interface {
	// PackageFiles are the context files ListPackages reads (nil: none of
	// the manifests is the provider's).
	PackageFiles(p *Plan) []string
	// ListPackages lists them and says from where; ok is false when the
	// files are not the provider's.
	ListPackages(p *Plan, files map[string][]byte) (pkgs []Package, from Origin, ok bool)
}

// Facts are what a provider may read.
type Facts struct {
	// Files holds the context files the provider listed that exist, each
	// within MaxFileSize.
	Files map[string][]byte
	// Image inspects an image for the target platform; nil where images
	// cannot be inspected (the CLI without a daemon).
	Image func(ref string) (*ImageInfo, error)
}

// MaxFileSize bounds each context file a provider reads: lockfiles of
// large monorepos are a few megabytes.
const MaxFileSize = 64 << 20

// MaxTotalRead bounds what a provider reads of the context in all: the
// files of every round together. A large monorepo's manifests and
// lockfile are tens of megabytes; forty 63 MiB files are an attack.
const MaxTotalRead = 128 << 20

// FileRounds bounds how often a provider names more files to read.
const FileRounds = 4

// MaxMatches bounds the files one wildcard name stands for: a preset
// globs to find an entry point, not to read the tree.
const MaxMatches = 256

// HasWildcard reports whether a name in Files is a pattern.
func HasWildcard(name string) bool { return strings.ContainsAny(name, "*?[") }

// ImageInfo is what a provider may know about an image.
type ImageInfo struct {
	// Config is the image's config.
	Config *dockerspec.DockerOCIImage
	// Users reads the image's /etc/passwd (the image is pulled for it).
	Users func() ([]User, error)
}

// User is an /etc/passwd entry.
type User struct {
	Name string
	UID  int
}

// Resolver turns a parsed Stagefile into a checked Plan.
type Resolver struct {
	// Providers by name.
	Providers Providers
	// ReadFiles reads context files; a missing file is left out of the
	// result, a wildcard name gives the files it matches (see
	// Provider.Files), and any file over MaxFileSize is an error.
	ReadFiles func(names []string) (map[string][]byte, error)
	// Image, see Facts.Image.
	Image func(ref string) (*ImageInfo, error)
	// BuildArgs are the client's --build-arg values.
	BuildArgs map[string]string
	// Packages asks for the shipped packages (an SBOM was requested) even
	// when no preset lists them.
	Packages bool
}

// Resolve checks what the Stagefile says, lets its preset fill the rest,
// adds the defaults and checks the result again: every value that will
// run has passed the same checks. The warnings are the lint findings of
// the resolved plan.
func (r Resolver) Resolve(s *spec.Spec) (*Plan, []*Warning, error) {
	p := FromSpec(s)
	eco := r.Providers.Ecosystems()
	if err := Check(p, false, eco); err != nil {
		return nil, nil, err
	}
	var warnings []*Warning
	if p.Preset.Set() {
		prov, ok := r.Providers[p.Preset.Value]
		if !ok {
			hint := ""
			guess := strings.ToLower(p.Preset.Value)
			if name, ok := r.Providers.Alias(guess); ok {
				guess = name
			}
			if c := spec.Closest(guess, r.Providers.Names()); c != "" {
				hint = fmt.Sprintf("did you mean %q? ", c)
			}
			return nil, nil, spec.Errors{spec.Errorf(p.File, p.Preset.Origin.At, "unknown preset \"%s\" (%sthe presets are: %s)",
				printable(p.Preset.Value), hint, strings.Join(r.Providers.Names(), ", "))}
		}
		facts := &Facts{Image: r.Image, Files: map[string][]byte{}}
		if r.ReadFiles != nil {
			asked := map[string]bool{}
			for range FileRounds {
				var names []string
				for _, n := range prov.Files(p, facts.Files) {
					if !asked[n] {
						asked[n] = true
						names = append(names, n)
					}
				}
				if len(names) == 0 {
					break
				}
				files, err := r.ReadFiles(names)
				if err != nil {
					return nil, nil, spec.Wrap(err, p.File, p.Preset.Origin.At, "preset "+prov.Name()+" could not read the build context")
				}
				total := 0
				for n, dt := range files {
					facts.Files[n] = dt
				}
				for _, dt := range facts.Files {
					total += len(dt)
				}
				if total > MaxTotalRead {
					return nil, nil, spec.Wrap(ErrTooLarge, p.File, p.Preset.Origin.At,
						fmt.Sprintf("preset %s would read %d bytes of the build context, more than the %d it may (a file it reads is far larger than a manifest: check .dockerignore)", prov.Name(), total, MaxTotalRead))
				}
			}
		}
		ws, err := prov.Fill(p, facts)
		if err != nil {
			return nil, ws, err
		}
		warnings = ws
	}
	p.Finish()
	argWarnings, errs := applyArgs(p, r.BuildArgs)
	warnings = append(warnings, argWarnings...)
	if err := Check(p, true, eco); err != nil {
		var more spec.Errors
		if errors.As(err, &more) {
			errs = append(errs, more...)
		}
	}
	if len(errs) == 0 {
		if err := r.checkUser(p); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, warnings, errs
	}
	if r.Packages && !p.Dependencies.PackagesFrom.Set() && p.HasDependencyLayer() && r.ReadFiles != nil {
		for _, prov := range r.Providers.Sorted() {
			l, ok := prov.(PackageLister)
			if !ok {
				continue
			}
			names := l.PackageFiles(p)
			if len(names) == 0 {
				continue
			}
			files, err := r.ReadFiles(names)
			if err != nil {
				return nil, warnings, spec.Wrap(err, p.File, p.Dependencies.At, "reading the lockfile for the SBOM")
			}
			if pkgs, from, ok := l.ListPackages(p, files); ok {
				p.Dependencies.Packages, p.Dependencies.PackagesFrom = pkgs, from
				break
			}
		}
	}
	return p, append(Lint(p, eco), warnings...), nil
}

// ErrTooLarge is what ReadFiles wraps for a context file over
// MaxFileSize; a missing file is simply absent.
var ErrTooLarge = errors.New("file too large")

// checkUser refuses a release.user name the runtime image's /etc/passwd
// does not have: the container would not start ("unable to find user"),
// and the writable folders would be made root's. A uid needs no entry.
func (r Resolver) checkUser(p *Plan) *spec.Error {
	u := p.Release.User
	name, _, _ := strings.Cut(u.Value, ":")
	// a preset picks only users it found in the image
	if !u.Set() || u.Origin.Kind == Preset || r.Image == nil || name == "" || name == "root" || strings.Trim(name, "0123456789") == "" {
		return nil
	}
	ref := p.Image.Value
	if p.Release.Image.Set() {
		ref = p.Release.Image.Value
	}
	img, err := r.Image(ref)
	if err != nil || img == nil || img.Users == nil {
		return nil // the build reports an image it cannot resolve
	}
	users, err := img.Users()
	if err != nil || len(users) == 0 {
		return nil // no /etc/passwd to tell from
	}
	var own []string
	for _, x := range users {
		if x.Name == name {
			return nil
		}
		if x.UID >= 1000 && x.UID < 65534 {
			own = append(own, x.Name)
		}
	}
	has := ""
	if len(own) > 0 {
		has = " (it has " + strings.Join(own, ", ") + ")"
	}
	return spec.Errorf(p.File, u.Origin.At, "user \"%s\" is not in the /etc/passwd of %s%s, so the release would not start (write one it has, or a numeric uid such as \"1000:1000\", which needs no entry)",
		printable(name), printable(ref), has)
}
