// Package java is the java preset: it reads pom.xml (and the poms of its
// modules and parents), .mvn and the Maven wrapper from the build context
// and fills a dependency step that resolves everything the tests and the
// build need from the poms alone, an offline `mvn verify`, an offline
// package, and a release that is the jar and its runtime dependencies (or
// a Spring Boot jar, extracted) on a JRE, as an unprivileged user.
package java

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
	"github.com/stagefile/stagefile/spec"
)

// Provider is the java preset.
type Provider struct{}

func (Provider) Name() string        { return "java" }
func (Provider) Rules() []*plan.Rule { return []*plan.Rule{JavaVersionMismatch} }

// The files the preset reads besides the poms.
const (
	rootPOM        = "pom.xml"
	mavenConfig    = ".mvn/maven.config"
	jvmConfig      = ".mvn/jvm.config"
	extensions     = ".mvn/extensions.xml"
	wrapper        = "mvnw"
	wrapperProps   = ".mvn/wrapper/maven-wrapper.properties"
	wrapperJar     = ".mvn/wrapper/maven-wrapper.jar"
	wrapperJava    = ".mvn/wrapper/MavenWrapperDownloader.java"
	dependencyPlug = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
	wrapperCmd     = "./mvnw"
)

// gradleFiles make a Gradle build, which the preset does not build.
var gradleFiles = []string{"build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"}

// Files: the root pom.xml, .mvn's settings, the wrapper and Gradle's
// build files (to say Gradle is not supported); then, round by round, the
// pom.xml of every module and parent the poms read so far name.
func (Provider) Files(p *plan.Plan, read map[string][]byte) []string {
	files := []string{rootPOM, mavenConfig, jvmConfig, extensions, wrapper, wrapperProps, wrapperJar, wrapperJava}
	files = append(files, settingsIn(read[mavenConfig])...)
	files = append(files, gradleFiles...)
	if app := path.Clean(p.App.Value); app != "." && validDir(app) {
		files = append(files, path.Join(app, "pom.xml"))
	}
	read = scaffold.Decoded(read, encoding)
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

// safeDir is a module folder the preset passes to Maven and to the
// skeleton script: letters, digits, ., _, - and /, not starting with -.
var safeDir = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._/-]*$`)

func validDir(dir string) bool {
	return dir == "." || safeDir.MatchString(dir) && !strings.HasPrefix(dir, "../") && dir != ".." && len(dir) <= 200
}

// moduleDir is the folder a <module> names, relative to the context.
func moduleDir(base, module string) (string, bool) {
	m := strings.TrimSpace(module)
	if m == "" || path.IsAbs(m) || strings.HasSuffix(m, ".xml") {
		return "", false
	}
	dir := path.Clean(path.Join(base, m))
	return dir, validDir(dir) && dir != "."
}

// parentFile is the pom.xml a <parent> points at (relativePath, by
// default ../pom.xml), when it is in the context.
func parentFile(pm *pom) (string, bool) {
	if pm.Parent == nil {
		return "", false
	}
	rel := "../pom.xml"
	if pm.Parent.RelativePath != nil {
		rel = strings.TrimSpace(*pm.Parent.RelativePath)
	}
	if rel == "" {
		return "", false // an empty relativePath: the parent is a repository's
	}
	f := path.Clean(path.Join(pm.dir, rel))
	if !strings.HasSuffix(f, ".xml") {
		f = path.Join(f, "pom.xml")
	}
	if path.Base(f) != "pom.xml" || f == pm.file || !validDir(path.Dir(f)) {
		return "", false
	}
	return f, true
}

// filler carries one Fill.
type filler struct {
	*scaffold.Filler
	r *reactor
	// app is the module to release.
	app *pom
	// props are .mvn/maven.config's -D properties.
	props map[string]string
	// launcher runs Maven: mvn, or ./mvnw.
	launcher string
}

// Fill fills what the Stagefile left out; everything written wins.
func (Provider) Fill(p *plan.Plan, facts *plan.Facts) ([]*plan.Warning, error) {
	f := &filler{Filler: scaffold.New("java", p, facts)}
	if err := f.Decode(encoding); err != nil {
		return f.Warnings, err
	}
	err := f.fill()
	return f.Warnings, err
}

// encoding is how Maven reads the files the preset reads: UTF-8, a byte
// order mark dropped, CRLF line ends as LF; a pom in another encoding is
// an error that says so (the preset's XML reader has none other). Of the
// wrapper and of Gradle's files the preset reads only that they exist.
func encoding(name string) scaffold.Encoding {
	switch name {
	case wrapper, wrapperJar, wrapperJava:
		return scaffold.Encoding{Raw: true}
	}
	for _, g := range gradleFiles {
		if name == g {
			return scaffold.Encoding{Raw: true}
		}
	}
	return scaffold.Encoding{Tool: "maven", BOM: true}
}

func (f *filler) fill() error {
	files := f.Facts.Files
	if _, ok := files[rootPOM]; !ok {
		for _, g := range gradleFiles {
			if _, ok := files[g]; ok {
				return f.Fail("%s is a Gradle build: preset java builds Maven projects only, Gradle is not supported yet (write the fields instead: image: eclipse-temurin:21-jdk, dependencies: {manifests: [%s, gradle/wrapper/gradle-wrapper.properties, gradlew], production: ./gradlew --no-daemon dependencies}, test: {run: ./gradlew --no-daemon --offline test}, build: {run: ./gradlew --no-daemon --offline build -x test, outputs: [build/libs]}, release: {image: eclipse-temurin:21-jre, cmd: [java, -jar, build/libs/app.jar]})", g, g)
			}
		}
		return f.Fail("preset java needs a pom.xml at the root of the build context (is it excluded by .dockerignore?)")
	}
	r, err := loadReactor(files)
	if err != nil {
		return f.Fail("%s", err.Error())
	}
	f.r = r
	f.props = userProperties(files[mavenConfig])
	if err := f.pickApp(); err != nil {
		return err
	}
	f.launcher = "mvn"
	if _, ok := files[wrapper]; ok {
		if _, ok := files[wrapperProps]; ok {
			f.launcher = wrapperCmd
		}
	}
	release, err := f.image()
	if err != nil {
		return err
	}
	art, err := f.artifact()
	if err != nil {
		return err
	}
	f.dependencies(art)
	f.test()
	f.build(art)
	f.release(art, release)
	return nil
}

// reactor is the build's poms: the root, its modules (and theirs), and
// the parents in the context they name.
type reactor struct {
	root *pom
	// byDir: every pom read, by its folder.
	byDir map[string]*pom
	// modules are the reactor's module folders, in the order found.
	modules []string
}

func loadReactor(files map[string][]byte) (*reactor, error) {
	r := &reactor{byDir: map[string]*pom{}}
	read := func(file string) (*pom, error) {
		if pm, ok := r.byDir[path.Dir(file)]; ok {
			return pm, nil
		}
		pm, err := parsePOM(file, files[file])
		if err != nil {
			return nil, err
		}
		r.byDir[pm.dir] = pm
		return pm, nil
	}
	root, err := read(rootPOM)
	if err != nil {
		return nil, err
	}
	r.root = root
	queue := []*pom{root}
	inReactor := map[string]bool{".": true}
	for len(queue) > 0 {
		pm := queue[0]
		queue = queue[1:]
		for _, m := range pm.Modules {
			dir, ok := moduleDir(pm.dir, m)
			if !ok {
				return nil, fmt.Errorf("%s lists module %s, which preset java cannot build (a folder inside the build context named with letters, digits, ., _, - and /; a module's pom must be its folder's pom.xml)", pm.file, q(m))
			}
			if inReactor[dir] {
				continue
			}
			file := path.Join(dir, "pom.xml")
			if _, ok := files[file]; !ok {
				return nil, fmt.Errorf("%s lists module %s, which has no pom.xml in the build context (check .dockerignore; preset java reads modules %d levels deep)", pm.file, q(m), plan.FileRounds-1)
			}
			mp, err := read(file)
			if err != nil {
				return nil, err
			}
			inReactor[dir] = true
			r.modules = append(r.modules, dir)
			queue = append(queue, mp)
		}
	}
	// parents in the context, read when the poms named them
	for _, dir := range sortedKeys(r.byDir) {
		pm := r.byDir[dir]
		for depth := 0; pm != nil && pm.parent == nil && depth < 16; depth++ {
			file, ok := parentFile(pm)
			if !ok {
				break
			}
			if _, ok := files[file]; !ok {
				break // a repository's parent, or one the context lacks: Maven resolves it
			}
			pp, err := read(file)
			if err != nil {
				return nil, err
			}
			if strings.TrimSpace(pp.ArtifactID) != strings.TrimSpace(pm.Parent.ArtifactID) {
				break // not the parent named: Maven resolves that one
			}
			pm.parent = pp
			pm = pp
		}
	}
	// a parent that points back at a child would loop
	for _, pm := range r.byDir {
		seen := map[*pom]bool{}
		for q := pm; q != nil; q = q.parent {
			if seen[q] {
				return nil, fmt.Errorf("%s and its parents name each other in a loop", pm.file)
			}
			seen[q] = true
		}
	}
	return r, nil
}

// pickApp finds the module to release: the root project, or the module
// app names in a multi-module build.
func (f *filler) pickApp() error {
	p, r := f.P, f.r
	app := path.Clean(p.App.Value)
	if app == "." {
		if r.root.packaging() == "pom" {
			if len(r.modules) == 0 {
				return f.Fail("pom.xml has packaging pom and no modules: there is no jar to release")
			}
			return f.Fail("pom.xml is a multi-module build (modules: %s): set app to the module to release, e.g. app: %s", scaffold.Few(r.modules), r.modules[len(r.modules)-1])
		}
		f.app = r.root
		return nil
	}
	if !validDir(app) {
		return f.FailAt(p.App.Origin.At, "preset java passes app to Maven: write the module's folder with letters, digits, ., _, - and / only")
	}
	pm, ok := r.byDir[app]
	if !ok || !contains(r.modules, app) {
		if len(r.modules) == 0 {
			return f.FailAt(p.App.Origin.At, "app %s is not a module of pom.xml, which has none (remove app, or list the module under <modules>)", q(app))
		}
		return f.FailAt(p.App.Origin.At, "app %s is not a module of pom.xml (its modules: %s)", q(app), scaffold.Few(r.modules))
	}
	if pm.packaging() == "pom" {
		return f.FailAt(p.App.Origin.At, "app %s has packaging pom: point app at the module that builds the jar", q(app))
	}
	f.app = pm
	return nil
}

// artifact is what the build makes of the app's module and how it starts.
type artifact struct {
	// jar is the file the package phase writes, relative to the module.
	jar string
	kind
	// main is the main class of a plain or fat jar ("" when the pom does
	// not say); boot the Spring Boot version ("" when it cannot tell).
	main, boot, why string
}

type kind int

const (
	// plainJar: the jar and its runtime dependencies, copied to
	// target/dependency.
	plainJar kind = iota
	// fatJar: a shade or assembly jar that holds its dependencies.
	fatJar
	// bootJar: Spring Boot's repackaged jar, extracted for the release.
	bootJar
)

var (
	fileName  = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._+-]*$`)
	className = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$`)
)

// artifact reads the app's pom for the jar it builds: its name
// (finalName, else artifactId-version), and whether Spring Boot, shade or
// assembly repackage it.
func (f *filler) artifact() (artifact, error) {
	pm := f.app
	if pk := pm.packaging(); pk != "jar" {
		return artifact{}, f.Fail("%s has packaging %s: preset java releases a jar (write build.outputs and release.cmd)", pm.file, q(pk))
	}
	name := ""
	for q := pm; q != nil && name == ""; q = q.parent {
		name = strings.TrimSpace(q.Build.FinalName)
	}
	from := pm.file + " build.finalName"
	if name == "" {
		name, from = "${project.artifactId}-${project.version}", pm.file+" artifactId-version"
	}
	if from != "" {
		from = "the jar mvn package writes (" + from + ")"
	}
	name, err := pm.interpolate(name, f.props)
	if err != nil {
		var u *errUnresolved
		if errors.As(err, &u) {
			return artifact{}, f.Fail("cannot tell the name of the jar %s builds: %s is not defined in the poms or .mvn/maven.config (define it, or write build.outputs and release.cmd)", pm.file, u)
		}
		return artifact{}, f.Fail("cannot tell the name of the jar %s builds: %v", pm.file, err)
	}
	if !fileName.MatchString(name) || len(name) > 200 {
		return artifact{}, f.Fail("the jar %s builds is named %s, which preset java does not pass on (write build.outputs and release.cmd)", pm.file, q(name))
	}
	a := artifact{jar: name + ".jar", why: from}
	plugins := pm.plugins()
	for _, pl := range plugins {
		switch pl.key() {
		case "org.springframework.boot:spring-boot-maven-plugin":
			a.kind = bootJar
			a.boot = f.bootVersion(pl)
			if c, ok := pl.find("classifier"); ok && c != "" {
				if c, err = pm.interpolate(c, f.props); err != nil || !fileName.MatchString(c) {
					return artifact{}, f.Fail("cannot tell the name of the jar spring-boot-maven-plugin writes (its classifier); write build.outputs and release.cmd")
				}
				a.jar = name + "-" + c + ".jar"
			}
			a.why = "spring-boot-maven-plugin repackages " + a.jar
			return a, nil
		case "org.apache.maven.plugins:maven-shade-plugin":
			if !pl.hasGoal("shade") {
				continue
			}
			a.kind, a.why = fatJar, "maven-shade-plugin replaces "+a.jar+" with a jar that holds its dependencies"
			if v, _ := pl.find("shadedArtifactAttached"); v == "true" {
				c := "shaded"
				if v, ok := pl.find("shadedClassifierName"); ok && fileName.MatchString(v) {
					c = v
				}
				a.jar = name + "-" + c + ".jar"
				a.why = "maven-shade-plugin attaches " + a.jar
			}
		case "org.apache.maven.plugins:maven-assembly-plugin":
			if ref, _ := pl.find("descriptorRef"); ref == "jar-with-dependencies" && pl.hasGoal("single") && a.kind == plainJar {
				if v, _ := pl.find("appendAssemblyId"); v != "false" {
					a.jar = name + "-jar-with-dependencies.jar"
				}
				a.kind, a.why = fatJar, "maven-assembly-plugin's jar-with-dependencies writes "+a.jar
			}
		}
	}
	a.main = f.mainClass(plugins)
	return a, nil
}

// mainClass is the main class the poms name: a manifest's (jar, shade,
// assembly), exec-maven-plugin's, or a property the build reads it from.
func (f *filler) mainClass(plugins []plugin) string {
	try := func(v string) string {
		v, err := f.app.interpolate(strings.TrimSpace(v), f.props)
		if err != nil || !className.MatchString(v) || len(v) > 500 {
			return ""
		}
		return v
	}
	for _, key := range []string{"org.apache.maven.plugins:maven-shade-plugin", "org.apache.maven.plugins:maven-assembly-plugin",
		"org.apache.maven.plugins:maven-jar-plugin", "org.codehaus.mojo:exec-maven-plugin"} {
		for _, pl := range plugins {
			if pl.key() != key {
				continue
			}
			if v, ok := pl.find("mainClass"); ok {
				if c := try(v); c != "" {
					return c
				}
			}
		}
	}
	for _, prop := range []string{"exec.mainClass", "main.class", "mainClass", "start-class"} {
		if v, ok := f.app.property(prop); ok {
			if c := try(v); c != "" {
				return c
			}
		}
	}
	return ""
}

// bootVersion is the Spring Boot version: the plugin's, else the
// starter parent's, else the imported spring-boot-dependencies'.
func (f *filler) bootVersion(pl plugin) string {
	ok := func(v string) string {
		v, err := f.app.interpolate(strings.TrimSpace(v), f.props)
		if err != nil {
			return ""
		}
		return v
	}
	if v := ok(pl.Version); v != "" {
		return v
	}
	for q := f.app; q != nil; q = q.parent {
		if q.Parent != nil && strings.TrimSpace(q.Parent.GroupID) == "org.springframework.boot" {
			return ok(q.Parent.Version)
		}
		for _, d := range q.Managed {
			if strings.TrimSpace(d.ArtifactID) == "spring-boot-dependencies" && strings.TrimSpace(d.Scope) == "import" {
				return ok(d.Version)
			}
		}
	}
	if v, found := f.app.property("spring-boot.version"); found {
		return ok(v)
	}
	return ""
}

// mvn is a Maven command line: batch mode, no download progress, the
// app's module and those it needs in a multi-module build.
func (f *filler) mvn(offline bool, args ...string) []string {
	argv := []string{f.launcher, "-B", "-ntp"}
	if offline {
		argv = append(argv, "-o")
	}
	argv = append(argv, args...)
	if f.app != f.r.root {
		argv = append(argv, "-pl", f.app.dir, "-am")
	}
	return argv
}

// skeleton makes a copy of the poms (and .mvn, mvnw) in /tmp, with an
// empty main class, an empty test and an empty integration test in every
// module, and runs the command that follows "--" there: the real
// lifecycle resolves every plugin it runs, and surefire and failsafe
// their providers (which they resolve only when there is a test to run),
// while the sources stay out of the step. /tmp is a tmpfs in every step:
// nothing of the skeleton reaches a layer.
const skeleton = `set -eu
s=/tmp/stagefile-skeleton
while [ "$1" != -- ]; do
  m=$s/$1/src
  mkdir -p "$m/main/java" "$m/test/java"
  cp "./$1/pom.xml" "$s/$1/pom.xml"
  echo "public class StagefileSkeleton { public static void main(String[] args) {} }" >"$m/main/java/StagefileSkeleton.java"
  echo "public class StagefileSkeletonTest {}" >"$m/test/java/StagefileSkeletonTest.java"
  echo "public class StagefileSkeletonIT {}" >"$m/test/java/StagefileSkeletonIT.java"
  shift
done
shift
if [ -d .mvn ]; then cp -R .mvn "$s/"; fi
if [ -f mvnw ]; then cp mvnw "$s/"; fi
cd "$s"
exec "$@"`

// skipChecks leave out, in the skeleton only, what judges the sources
// rather than resolves anything: a plugin is resolved before its skip
// flag is read, so each is still downloaded.
var skipChecks = []string{"-Dcheckstyle.skip=true", "-Dpmd.skip=true", "-Dcpd.skip=true", "-Dspotbugs.skip=true",
	"-Dspotless.check.skip=true", "-Djacoco.skip=true", "-Denforcer.skip=true", "-Dmaven.gitcommitid.skip=true",
	"-Dlicense.skip=true", "-Drat.skip=true", "-DfailIfNoTests=false", "-Dsurefire.failIfNoSpecifiedTests=false"}

// localRepository is where Maven keeps what it downloads, for root (the
// user of every step): in the dependency step's layer, outside workdir.
const localRepository = "/root/.m2/repository"

// dependencies: the poms (and .mvn, the wrapper) are the manifests; the
// production install runs the lifecycle on a skeleton of them, which
// leaves every artifact test and build use in the local repository, in
// the step's layer, so that they run offline. Source edits keep it
// cached; the release takes nothing of it.
func (f *filler) dependencies(a artifact) {
	p, files := f.P, f.Facts.Files
	d := &p.Dependencies
	if d.Manifests == nil {
		add := func(name, why string) {
			if _, ok := files[name]; ok {
				d.Manifests = append(d.Manifests, plan.Value[string]{Value: name, Origin: f.Origin(why)})
			}
		}
		for _, dir := range sortedKeys(f.r.byDir) {
			pm := f.r.byDir[dir]
			switch {
			case pm == f.r.root:
				add(pm.file, "the project")
			case contains(f.r.modules, dir):
				add(pm.file, "a module of the reactor")
			default:
				add(pm.file, "a parent pom the modules name")
			}
		}
		add(extensions, "Maven's core extensions, loaded before the build")
		if f.launcher == wrapperCmd {
			add(wrapper, "the Maven wrapper")
			add(wrapperProps, "the Maven version the wrapper downloads")
			add(wrapperJar, "the wrapper's launcher")
			add(wrapperJava, "the wrapper's downloader")
		}
	}
	if d.Config == nil {
		for _, c := range []struct{ name, why string }{{mavenConfig, "Maven's options for this project"}, {jvmConfig, "the JVM options Maven runs with"}} {
			if _, ok := files[c.name]; ok {
				d.Config = append(d.Config, plan.Value[string]{Value: c.name, Origin: f.Origin(c.why)})
			}
		}
		for _, s := range settingsIn(files[mavenConfig]) {
			if _, ok := files[s]; ok {
				d.Config = append(d.Config, plan.Value[string]{Value: s, Origin: f.Origin("the settings .mvn/maven.config names (repositories, mirrors)")})
				f.checkSettings(s, files[s])
			}
		}
	}
	if d.Production == nil {
		// every pom's folder: the modules, and local parents that are none
		dirs := sortedKeys(f.r.byDir)
		goals := []string{"verify"}
		if a.kind == plainJar {
			goals = append(goals, dependencyPlug+":copy-dependencies", "-DincludeScope=runtime")
		}
		argv := append([]string{"sh", "-c", skeleton, "stagefile-skeleton"}, dirs...)
		argv = append(argv, "--")
		argv = append(argv, f.mvn(false, append(goals, skipChecks...)...)...)
		why := "the poms → mvn verify on a skeleton of them (empty sources, an empty test), which resolves every plugin, provider and dependency test and build use into " + localRepository
		if f.launcher == wrapperCmd {
			// the wrapper downloads its Maven into /root/.m2/wrapper and,
			// for its script type, its jar into .mvn/wrapper: both in the
			// layer, where the offline steps find them
			d.Production = plan.Argv(f.Origin("the wrapper's Maven (and jar), then "+why), []string{wrapperCmd, "--version"}, argv)
		} else {
			d.Production = plan.Argv(f.Origin(why), argv)
		}
	}
	if f.launcher == wrapperCmd {
		// the official maven images set MAVEN_CONFIG=/root/.m2, and the
		// wrapper's script type passes it to Maven as an argument: a goal
		plan.SetVar(&p.Env, "MAVEN_CONFIG", "", f.Origin("mvnw passes $MAVEN_CONFIG to Maven as arguments; the maven images set it to a folder, which Maven takes for a goal"))
	}
	// the developer's own build output would replace what the build makes
	for _, dir := range append([]string{"."}, f.r.modules...) {
		p.ExcludeFromSource(path.Join(dir, "target"), f.Origin("Maven's output, made by the build, not copied from the context"))
	}
	if !p.Release.NoDependencies.Set() {
		p.Release.NoDependencies = plan.Value[bool]{Value: true, Origin: f.Origin("the local repository is outside workdir and never ships: the build outputs hold the jar and its runtime dependencies")}
	}
}

// test runs the lifecycle to verify, offline: the tests, and the
// integration tests and checks the build binds to verify.
func (f *filler) test() {
	t := &f.P.Test
	if t.Run != nil || t.None.Set() {
		return
	}
	t.Run = plan.Argv(f.Origin("mvn verify: the tests and every check bound to the lifecycle, offline, from the local repository"), f.inRoot(f.mvn(true, "verify"))...)
}

// inRoot runs argv at the reactor's root: test and build run in the
// app's folder, and Maven builds a module with the modules it uses from
// the root.
func (f *filler) inRoot(argv []string) [][]string {
	if f.app == f.r.root {
		return [][]string{argv}
	}
	return [][]string{{"cd", path.Clean(f.P.Workdir.Value)}, argv}
}

// build packages the jar, offline, and puts what the release runs next to
// it: the runtime dependencies (target/dependency), or the Spring Boot
// jar extracted.
func (f *filler) build(a artifact) {
	p := f.P
	b := &p.Build
	mod := f.app.dir
	target := path.Join(mod, "target")
	if b.Run == nil {
		args := []string{"package", "-DskipTests"}
		if a.kind == plainJar {
			args = append(args, dependencyPlug+":copy-dependencies", "-DincludeScope=runtime")
		}
		argv := f.inRoot(f.mvn(true, args...))
		why := "mvn package, offline, without the tests (the test step runs them)"
		switch {
		case a.kind == plainJar:
			// copy-dependencies makes no folder for an app without any
			argv = append(argv, []string{"mkdir", "-p", path.Join(target, "dependency")})
			why += ", and the runtime dependencies copied to target/dependency"
		case a.kind == bootJar && f.tools(a):
			// Spring Boot 3.3+: a plain jar and lib/, started with java -jar
			dir := path.Join(target, "extracted")
			argv = append(argv, []string{"java", "-Djarmode=tools", "-jar", path.Join(target, a.jar), "extract", "--destination", dir})
			why += ", and the Spring Boot jar extracted (java -Djarmode=tools extract)"
		case a.kind == bootJar:
			// older Spring Boot: the jar unpacked, started by its launcher
			dir := path.Join(target, "extracted")
			argv = append(argv, []string{"mkdir", "-p", dir}, []string{"cd", dir}, []string{"jar", "-xf", "../" + a.jar})
			why += ", and the Spring Boot jar unpacked (jar -xf)"
		}
		b.Run = plan.Argv(f.Origin(why), argv...)
	}
	if b.Outputs == nil {
		out := func(v, why string) {
			b.Outputs = append(b.Outputs, plan.Value[string]{Value: v, Origin: f.Origin(why)})
		}
		switch a.kind {
		case plainJar:
			out(path.Join(target, a.jar), a.why)
			out(path.Join(target, "dependency"), "the runtime dependencies (compile and runtime scopes)")
		case fatJar:
			out(path.Join(target, a.jar), a.why)
		case bootJar:
			out(path.Join(target, "extracted"), a.why+", extracted")
		}
	}
}

// tools: Spring Boot 3.3 and later extract with -Djarmode=tools; older
// ones have layertools, which extracts layers only. An unknown version is
// taken for a current one.
func (f *filler) tools(a artifact) bool {
	major, minor, ok := majorMinor(a.boot)
	return !ok || major > 3 || major == 3 && minor >= 3
}

var versionRe = regexp.MustCompile(`^(\d+)\.(\d+)`)

func majorMinor(v string) (int, int, bool) {
	m := versionRe.FindStringSubmatch(v)
	if m == nil || len(m[1]) > 4 || len(m[2]) > 4 {
		return 0, 0, false
	}
	var major, minor int
	fmt.Sscan(m[1], &major)
	fmt.Sscan(m[2], &minor)
	return major, minor, true
}

// javaOptions are the JVM flags the release starts with (see
// docs/presets.md): the heap sized from the container's memory limit
// rather than a quarter of it, and an exit on OutOfMemoryError, so that
// the container restarts instead of limping on.
var javaOptions = []string{"-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError"}

// release: java as PID 1 on the JRE, as an unprivileged user.
func (f *filler) release(a artifact, runtime string) {
	p := f.P
	r := &p.Release
	if !r.Image.Set() {
		r.Image = plan.Value[string]{Value: runtime, Origin: f.Origin("a JRE of the same Java: no compiler, no Maven")}
	}
	f.user(r.Image.Value)
	if r.Entrypoint.Set() || r.Cmd.Set() {
		return
	}
	wd := path.Clean(p.Workdir.Value)
	target := path.Join(wd, f.app.dir, "target")
	var argv []string
	var why string
	switch {
	case a.kind == bootJar && f.tools(a):
		argv, why = []string{"-jar", path.Join(target, "extracted", a.jar)}, "the extracted Spring Boot jar, which names lib/ in its manifest"
	case a.kind == bootJar:
		launcher := "org.springframework.boot.loader.JarLauncher"
		if major, minor, ok := majorMinor(a.boot); !ok || major > 3 || major == 3 && minor >= 2 {
			launcher = "org.springframework.boot.loader.launch.JarLauncher"
		}
		argv, why = []string{"-cp", path.Join(target, "extracted"), launcher}, "Spring Boot's launcher on the unpacked jar"
	case a.main == "":
		example := "[java, -cp, \"" + path.Join(target, a.jar) + ":" + path.Join(target, "dependency") + "/*\", com.example.Main]"
		if a.kind == fatJar {
			example = "[java, -cp, " + path.Join(target, a.jar) + ", com.example.Main]"
		}
		f.Warn(plan.UnknownStartCommand, f.Origin(""), "cannot tell how the app starts (%s names no main class: no mainClass in the jar, shade, assembly or exec plugin's configuration, no exec.mainClass property); set release.entrypoint, e.g. %s", f.app.file, example)
		return
	case a.kind == fatJar:
		argv, why = []string{"-cp", path.Join(target, a.jar), a.main}, "the main class "+a.main+" of "+f.app.file
	default:
		argv, why = []string{"-cp", path.Join(target, a.jar) + ":" + path.Join(target, "dependency") + "/*", a.main}, "the main class "+a.main+" of "+f.app.file+", on the jar and its dependencies"
	}
	argv = append(append([]string{"java"}, javaOptions...), argv...)
	r.Entrypoint = plan.Value[[]string]{Value: argv, Origin: f.Origin("java as PID 1: " + why + "; the heap sized from the container's memory limit")}
}

// runtimeUser runs the app when the runtime image names no unprivileged
// user: numeric, so it needs no /etc/passwd entry and Kubernetes'
// runAsNonRoot can verify it.
const runtimeUser = "1000:1000"

// user keeps the runtime image's own unprivileged user, else runs the app
// as a numeric one.
func (f *filler) user(runtime string) {
	r := &f.P.Release
	if r.User.Set() {
		return
	}
	if f.Facts.Image != nil {
		if img, err := f.Facts.Image(runtime); err == nil && img != nil && img.Config != nil {
			if u := img.Config.Config.User; u != "" && !isRoot(u) {
				r.User = plan.Value[string]{Value: u, Origin: f.Origin("the runtime image already runs as " + u)}
				return
			}
		}
	}
	r.User = plan.Value[string]{Value: runtimeUser, Origin: f.Origin("the runtime image runs as root: a numeric uid, which needs no /etc/passwd entry")}
}

func isRoot(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "root" || name == "0"
}

func q(s string) string { return spec.Printable(s, spec.ValueLimit) }

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// settingsIn are the settings files .mvn/maven.config names (-s, -gs,
// --settings, --global-settings) in .mvn, where the skeleton finds them
// too; a settings file elsewhere is Maven's to find (it fails there).
func settingsIn(config []byte) []string {
	var out []string
	fields := strings.Fields(string(config))
	for i := 0; i < len(fields) && i < 1000; i++ {
		v := ""
		switch a := fields[i]; {
		case a == "-s" || a == "-gs" || a == "--settings" || a == "--global-settings":
			if i+1 < len(fields) {
				i++
				v = fields[i]
			}
		case strings.HasPrefix(a, "--settings="), strings.HasPrefix(a, "--global-settings="):
			_, v, _ = strings.Cut(a, "=")
		}
		v = path.Clean(strings.TrimPrefix(strings.Trim(v, `"'`), "${maven.multiModuleProjectDirectory}/"))
		if strings.HasPrefix(v, ".mvn/") && !strings.Contains(v, "..") && strings.HasSuffix(v, ".xml") {
			out = append(out, v)
		}
	}
	return out
}

// secretElement is a password written into a settings file, not read
// from the environment (${env.NAME}).
var secretElement = regexp.MustCompile(`<(password|passphrase|privateKey)>\s*([^<$\s][^<]*)</`)

// checkSettings warns about a password committed in a settings file: it
// is mounted for the steps and never stored in a layer, but it is in the
// repository.
func (f *filler) checkSettings(name string, dt []byte) {
	if m := secretElement.FindSubmatch(dt); m != nil {
		f.Warn(plan.TokenInManifests, f.Origin(name), "%s holds a <%s> committed to the repository; it is mounted for the steps that read it and never stored in a layer, but write it as ${env.MAVEN_PASSWORD} and pass it as a secret (secrets: [{id: maven_password, env: MAVEN_PASSWORD, steps: [install, test, build]}])", name, m[1])
	}
}
