package java

import (
	"path"
	"regexp"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
)

// What `stagefile init` asks the java preset.
var _ plan.Initializer = Provider{}

// Markers: a Maven project.
func (Provider) Markers() []string { return []string{rootPOM} }

// WorkspaceFiles: the root pom.xml, then its modules', round by round.
func (Provider) WorkspaceFiles(read map[string][]byte) []string {
	return append([]string{rootPOM}, pomsNamed(read)...)
}

// pomsNamed are the module and parent poms the poms read so far name.
func pomsNamed(read map[string][]byte) []string {
	var files []string
	for _, name := range sortedKeys(read) {
		if path.Base(name) != "pom.xml" {
			continue
		}
		pm, err := parsePOM(name, read[name])
		if err != nil {
			continue
		}
		for _, m := range pm.Modules {
			if dir, ok := moduleDir(pm.dir, m); ok {
				files = append(files, path.Join(dir, "pom.xml"))
			}
		}
		if f, ok := parentFile(pm); ok {
			files = append(files, f)
		}
	}
	return files
}

// Workspace: the modules of a multi-module build. An app is a module
// that builds a jar Spring Boot repackages or whose pom names a main
// class; the others are libraries.
func (Provider) Workspace(files map[string][]byte) *plan.Workspace {
	r, err := loadReactor(files)
	if err != nil || len(r.modules) == 0 {
		return nil
	}
	w := &plan.Workspace{Kind: "a Maven multi-module build (pom.xml <modules>)"}
	f := &filler{r: r, props: userProperties(files[mavenConfig])}
	for _, dir := range append([]string{"."}, r.modules...) {
		pm := r.byDir[dir]
		if pm.packaging() != "jar" {
			continue
		}
		f.app = pm
		w.Packages = append(w.Packages, plan.WorkspacePackage{Dir: dir, Start: f.start()})
	}
	return w
}

// start says how the module starts, "" for a library.
func (f *filler) start() string {
	plugins := f.app.plugins()
	for _, pl := range plugins {
		if pl.key() == "org.springframework.boot:spring-boot-maven-plugin" {
			return "spring-boot-maven-plugin"
		}
	}
	if c := f.mainClass(plugins); c != "" {
		return "main class " + c
	}
	return ""
}

// SuggestFiles: the poms, then the source of the app's main class and
// Spring Boot's application.properties or .yml.
func (Provider) SuggestFiles(p *plan.Plan, read map[string][]byte) []string {
	app := path.Clean(p.App.Value)
	files := []string{rootPOM, mavenConfig, path.Join(app, "pom.xml")}
	files = append(files, pomsNamed(read)...)
	res := path.Join(app, "src/main/resources")
	files = append(files, path.Join(res, "application.properties"), path.Join(res, "application.yml"), path.Join(res, "application.yaml"))
	if f, ok := appFiller(p, read); ok {
		if c := f.mainClass(f.app.plugins()); c != "" {
			rel := strings.ReplaceAll(c, ".", "/")
			files = append(files, path.Join(app, "src/main/java", rel+".java"), path.Join(app, "src/main/kotlin", rel+".kt"))
		}
	}
	return files
}

// appFiller is a filler for the app's module, from the poms read.
func appFiller(p *plan.Plan, files map[string][]byte) (*filler, bool) {
	r, err := loadReactor(files)
	if err != nil {
		return nil, false
	}
	app := path.Clean(p.App.Value)
	pm, ok := r.byDir[app]
	if !ok {
		return nil, false
	}
	return &filler{r: r, app: pm, props: userProperties(files[mavenConfig])}, true
}

var (
	// the ports a main class names: a PORT variable's default, the
	// address a server binds, Javalin's start(port)
	javaPorts = []*regexp.Regexp{
		regexp.MustCompile(`getOrDefault\(\s*"PORT"\s*,\s*"(\d{1,5})"\s*\)`),
		regexp.MustCompile(`new InetSocketAddress\(\s*(?:"[^"\n]*"\s*,\s*)?(\d{1,5})\s*\)`),
		regexp.MustCompile(`\.start\(\s*(\d{2,5})\s*\)`),
	}
	// server.port in application.properties and application.yml
	springPorts = []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\s*server\.port\s*[=:]\s*(?:\$\{[A-Za-z_.]+:)?(\d{1,5})`),
		regexp.MustCompile(`(?m)^server:[ \t]*\n(?:[ \t]+[^\n]*\n)*?[ \t]+port:[ \t]*["']?(?:\$\{[A-Za-z_.]+:)?(\d{1,5})`),
	}
)

// Suggest: release.expose from the port the main class or Spring Boot's
// settings name (else Spring Boot's default for a web app); target
// folders for .dockerignore.
func (Provider) Suggest(p *plan.Plan, files map[string][]byte) []plan.Suggestion {
	var out []plan.Suggestion
	var ignore []string
	for _, e := range p.Source.Exclude {
		if e.Origin.Kind == plan.Preset && path.Base(e.Value) == "target" {
			ignore = append(ignore, e.Value)
		}
	}
	if len(ignore) > 0 {
		out = append(out, plan.Suggestion{Field: ".dockerignore", Values: ignore, From: "Maven's output: the developer's own would only be sent to the daemon"})
	}
	if len(p.Release.Expose) > 0 {
		return out
	}
	f, ok := appFiller(p, files)
	if !ok {
		return out
	}
	app := path.Clean(p.App.Value)
	res := path.Join(app, "src/main/resources")
	for _, name := range []string{"application.properties", "application.yml", "application.yaml"} {
		file := path.Join(res, name)
		if ports := scaffold.Ports(files[file], springPorts...); len(ports) > 0 {
			return append(out, scaffold.Expose(file, ports)...)
		}
	}
	if c := f.mainClass(f.app.plugins()); c != "" {
		rel := strings.ReplaceAll(c, ".", "/")
		for _, file := range []string{path.Join(app, "src/main/java", rel+".java"), path.Join(app, "src/main/kotlin", rel+".kt")} {
			if ports := scaffold.Ports(files[file], javaPorts...); len(ports) > 0 {
				return append(out, scaffold.Expose(file, ports)...)
			}
		}
	}
	if f.start() == "spring-boot-maven-plugin" {
		for _, d := range f.app.Dependencies {
			if a := strings.TrimSpace(d.ArtifactID); a == "spring-boot-starter-web" || a == "spring-boot-starter-webflux" || a == "spring-boot-starter-webmvc" {
				return append(out, plan.Suggestion{Field: "release.expose", Values: []string{"8080"}, From: f.app.file + " " + a + ": Spring Boot's default server.port"})
			}
		}
	}
	return out
}
