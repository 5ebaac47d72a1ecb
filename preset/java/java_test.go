package java

import (
	"errors"
	"strings"
	"testing"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// images: the temurin images run as root and say their Java.
func images(ref string) (*plan.ImageInfo, error) {
	img := &plan.ImageInfo{Config: &dockerspec.DockerOCIImage{}}
	if strings.Contains(ref, "distroless") {
		img.Config.Config.User = "65532"
	}
	if m := javaTag.FindStringSubmatch(ref); m != nil {
		img.Config.Config.Env = []string{"JAVA_VERSION=jdk-" + m[1] + ".0.5+11"}
	}
	return img, nil
}

func fill(t *testing.T, stagefile string, files map[string]string) (*plan.Plan, []*plan.Warning, error) {
	t.Helper()
	s, err := spec.Parse("Stagefile", []byte("version: 1\npreset: java\n"+stagefile))
	assert.NilError(t, err)
	r := plan.Resolver{
		Providers: map[string]plan.Provider{"java": Provider{}},
		ReadFiles: func(names []string) (map[string][]byte, error) {
			out := map[string][]byte{}
			for _, n := range names {
				if dt, ok := files[n]; ok {
					out[n] = []byte(dt)
				}
			}
			return out, nil
		},
		Image: images,
	}
	return r.Resolve(s)
}

func script(c *plan.Command) string {
	if c == nil {
		return ""
	}
	return c.Script()
}

// pom is a pom.xml with what body adds inside <project>.
func pomXML(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
` + body + "\n</project>\n"
}

const plainPOM = `<groupId>com.example</groupId><artifactId>hello</artifactId><version>1.0.0</version>
<properties><maven.compiler.release>21</maven.compiler.release></properties>
<build><plugins><plugin><artifactId>maven-jar-plugin</artifactId>
  <configuration><archive><manifest><mainClass>com.example.App</mainClass></manifest></archive></configuration>
</plugin></plugins></build>`

func TestPlainJar(t *testing.T) {
	p, warnings, err := fill(t, "", map[string]string{"pom.xml": pomXML(plainPOM), ".mvn/maven.config": "-T 1C\n"})
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.Equal(p.Image.Value, "maven:3-eclipse-temurin-21"))
	assert.Check(t, is.Equal(p.Release.Image.Value, "eclipse-temurin:21-jre"))
	d := p.Dependencies
	assert.Check(t, is.DeepEqual(plan.Values(d.Manifests), []string{"pom.xml"}))
	assert.Check(t, is.DeepEqual(plan.Values(d.Config), []string{".mvn/maven.config"}))
	assert.Check(t, d.Development == nil)
	assert.Check(t, d.Caches == nil, "the local repository is in the layer, for the offline steps")
	prod := d.Production.Argv[0]
	assert.Check(t, is.DeepEqual(prod[:3], []string{"sh", "-c", skeleton}))
	assert.Check(t, is.Contains(strings.Join(prod[3:], " "), "stagefile-skeleton . -- mvn -B -ntp verify org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DincludeScope=runtime -Dcheckstyle.skip=true"))
	assert.Check(t, is.Equal(script(p.Test.Run), "mvn -B -ntp -o verify"))
	assert.Check(t, is.Equal(script(p.Build.Run), "mvn -B -ntp -o package -DskipTests org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DincludeScope=runtime && mkdir -p target/dependency"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"target/hello-1.0.0.jar", "target/dependency"}))
	assert.Check(t, is.DeepEqual(p.Release.Entrypoint.Value, []string{"java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError",
		"-cp", "/app/target/hello-1.0.0.jar:/app/target/dependency/*", "com.example.App"}))
	assert.Check(t, is.Equal(p.Release.User.Value, "1000:1000"))
	assert.Check(t, p.Release.NoDependencies.Value)
	assert.Check(t, is.DeepEqual(plan.Values(p.Source.Exclude)[:1], []string{"target"}))
}

func TestWrapperAndModules(t *testing.T) {
	root := pomXML(`<groupId>com.acme</groupId><artifactId>acme</artifactId><version>${revision}</version><packaging>pom</packaging>
<properties><revision>2.0.0</revision><java.version>17</java.version></properties>
<modules><module>libs/core</module><module>services/api</module></modules>`)
	parent := `<parent><groupId>com.acme</groupId><artifactId>acme</artifactId><version>${revision}</version><relativePath>../../pom.xml</relativePath></parent>`
	files := map[string]string{
		"pom.xml":                               root,
		"libs/core/pom.xml":                     pomXML(parent + `<artifactId>core</artifactId>`),
		"services/api/pom.xml":                  pomXML(parent + `<artifactId>api</artifactId><build><finalName>api</finalName><plugins><plugin><groupId>org.codehaus.mojo</groupId><artifactId>exec-maven-plugin</artifactId><configuration><mainClass>com.acme.Api</mainClass></configuration></plugin></plugins></build>`),
		"mvnw":                                  "#!/bin/sh\n",
		".mvn/wrapper/maven-wrapper.properties": "distributionUrl=https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.9.9/apache-maven-3.9.9-bin.zip\n",
	}
	_, _, err := fill(t, "", files)
	assert.Check(t, is.ErrorContains(err, "Stagefile:2:9: pom.xml is a multi-module build (modules: libs/core, services/api): set app to the module to release, e.g. app: services/api"))

	p, warnings, err := fill(t, "app: services/api\n", files)
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.Equal(p.Image.Value, "maven:3-eclipse-temurin-17"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Dependencies.Manifests), []string{"pom.xml", "libs/core/pom.xml", "services/api/pom.xml", "mvnw", ".mvn/wrapper/maven-wrapper.properties"}))
	argv := p.Dependencies.Production.Argv
	assert.Check(t, is.DeepEqual(argv[0], []string{"./mvnw", "--version"}), "the wrapper downloads its Maven first")
	prod := strings.Join(argv[1][3:], " ")
	assert.Check(t, is.Contains(prod, "stagefile-skeleton . libs/core services/api -- ./mvnw -B -ntp verify "))
	mc, ok := plan.Lookup(p.Env, "MAVEN_CONFIG")
	assert.Check(t, ok && mc.Value == "", "the maven images' MAVEN_CONFIG would reach mvnw's command line")
	assert.Check(t, strings.HasSuffix(prod, " -pl services/api -am"), prod)
	assert.Check(t, is.Equal(script(p.Test.Run), "cd /app && ./mvnw -B -ntp -o verify -pl services/api -am"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"services/api/target/api.jar", "services/api/target/dependency"}))
	assert.Check(t, is.DeepEqual(p.Release.Entrypoint.Value[3:], []string{"-cp", "/app/services/api/target/api.jar:/app/services/api/target/dependency/*", "com.acme.Api"}))
	assert.Check(t, is.DeepEqual(plan.Values(p.Source.Exclude)[:3], []string{"target", "libs/core/target", "services/api/target"}))

	_, _, err = fill(t, "app: services/web\n", files)
	assert.Check(t, is.ErrorContains(err, "Stagefile:3:6: app services/web is not a module of pom.xml (its modules: libs/core, services/api)"))

	delete(files, "libs/core/pom.xml")
	_, _, err = fill(t, "app: services/api\n", files)
	assert.Check(t, is.ErrorContains(err, "pom.xml lists module libs/core, which has no pom.xml in the build context"))
}

func TestSpringBoot(t *testing.T) {
	boot := func(version string) string {
		return pomXML(`<parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>` + version + `</version><relativePath/></parent>
<groupId>com.acme</groupId><artifactId>shop</artifactId><version>0.1.0-SNAPSHOT</version>
<build><plugins><plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build>`)
	}
	p, warnings, err := fill(t, "", map[string]string{"pom.xml": boot("3.5.7")})
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.Equal(p.Image.Value, "maven:3-eclipse-temurin-17"), "Boot 3's parent compiles for 17")
	assert.Check(t, !strings.Contains(strings.Join(p.Dependencies.Production.Argv[0], " "), "copy-dependencies"))
	assert.Check(t, is.Equal(script(p.Build.Run), "mvn -B -ntp -o package -DskipTests && java -Djarmode=tools -jar target/shop-0.1.0-SNAPSHOT.jar extract --destination target/extracted"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"target/extracted"}))
	assert.Check(t, is.DeepEqual(p.Release.Entrypoint.Value[3:], []string{"-jar", "/app/target/extracted/shop-0.1.0-SNAPSHOT.jar"}))

	p, _, err = fill(t, "", map[string]string{"pom.xml": boot("2.7.18")})
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Image.Value, "maven:3-eclipse-temurin-25"), "Boot 2 names no Java the preset reads")
	assert.Check(t, is.Equal(script(p.Build.Run), "mvn -B -ntp -o package -DskipTests && mkdir -p target/extracted && cd target/extracted && jar -xf ../shop-0.1.0-SNAPSHOT.jar"))
	assert.Check(t, is.DeepEqual(p.Release.Entrypoint.Value[3:], []string{"-cp", "/app/target/extracted", "org.springframework.boot.loader.JarLauncher"}))

	p, _, err = fill(t, "", map[string]string{"pom.xml": boot("3.2.1")})
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Release.Entrypoint.Value[len(p.Release.Entrypoint.Value)-1], "org.springframework.boot.loader.launch.JarLauncher"))
}

func TestFatJars(t *testing.T) {
	shade := pomXML(`<groupId>g</groupId><artifactId>tool</artifactId><version>1</version>
<properties><maven.compiler.source>1.8</maven.compiler.source></properties>
<build><plugins><plugin><artifactId>maven-shade-plugin</artifactId><executions><execution><goals><goal>shade</goal></goals>
<configuration><transformers><transformer implementation="org.apache.maven.plugins.shade.resource.ManifestResourceTransformer"><mainClass>g.Tool</mainClass></transformer></transformers></configuration>
</execution></executions></plugin></plugins></build>`)
	p, _, err := fill(t, "", map[string]string{"pom.xml": shade})
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Image.Value, "maven:3-eclipse-temurin-8"))
	assert.Check(t, is.Equal(script(p.Build.Run), "mvn -B -ntp -o package -DskipTests"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"target/tool-1.jar"}))
	assert.Check(t, is.DeepEqual(p.Release.Entrypoint.Value[3:], []string{"-cp", "/app/target/tool-1.jar", "g.Tool"}))

	assembly := pomXML(`<groupId>g</groupId><artifactId>tool</artifactId><version>1</version>
<build><plugins><plugin><artifactId>maven-assembly-plugin</artifactId>
<configuration><descriptorRefs><descriptorRef>jar-with-dependencies</descriptorRef></descriptorRefs><archive><manifest><mainClass>g.Tool</mainClass></manifest></archive></configuration>
<executions><execution><phase>package</phase><goals><goal>single</goal></goals></execution></executions></plugin></plugins></build>`)
	p, _, err = fill(t, "", map[string]string{"pom.xml": assembly})
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"target/tool-1-jar-with-dependencies.jar"}))
}

func TestNoMainClass(t *testing.T) {
	p, warnings, err := fill(t, "", map[string]string{"pom.xml": pomXML(`<groupId>g</groupId><artifactId>lib</artifactId><version>1</version>`)})
	assert.NilError(t, err)
	assert.Check(t, !p.Release.Entrypoint.Set())
	var found bool
	for _, w := range warnings {
		if w.Rule == plan.UnknownStartCommand {
			found = true
			assert.Check(t, is.Contains(w.Error(), `e.g. [java, -cp, "/app/target/lib-1.jar:/app/target/dependency/*", com.example.Main]`))
		}
	}
	assert.Check(t, found, "%v", warnings)
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, stagefile string
		files           map[string]string
		want            string
	}{
		{"gradle", "", map[string]string{"build.gradle.kts": "plugins { java }"}, "Stagefile:2:9: build.gradle.kts is a Gradle build: preset java builds Maven projects only, Gradle is not supported yet (write the fields instead"},
		{"none", "", map[string]string{}, "preset java needs a pom.xml at the root of the build context"},
		{"not xml", "", map[string]string{"pom.xml": "<project><a></project>"}, "pom.xml is not XML Maven can read"},
		{"not a pom", "", map[string]string{"pom.xml": "<settings/>"}, "pom.xml has no <project> element"},
		{"deep", "", map[string]string{"pom.xml": "<project>" + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + "</project>"}, "pom.xml nests elements deeper than 64 levels"},
		{"war", "", map[string]string{"pom.xml": pomXML(`<artifactId>w</artifactId><version>1</version><packaging>war</packaging>`)}, "pom.xml has packaging war: preset java releases a jar"},
		{"unknown version", "", map[string]string{"pom.xml": pomXML(`<artifactId>w</artifactId><version>${revision}</version>`)}, "cannot tell the name of the jar pom.xml builds: ${revision} is not defined"},
		{"injection", "", map[string]string{"pom.xml": pomXML(`<artifactId>w</artifactId><version>1</version><modules><module>-x; rm -rf /</module></modules>`)}, "pom.xml lists module -x; rm -rf /, which preset java cannot build"},
		{"escape", "", map[string]string{"pom.xml": pomXML(`<artifactId>w</artifactId><version>1</version><modules><module>../other</module></modules>`)}, "pom.xml lists module ../other, which preset java cannot build"},
		{"bad name", "", map[string]string{"pom.xml": pomXML(`<artifactId>w</artifactId><version>1</version><build><finalName>../../x</finalName></build>`)}, "the jar pom.xml builds is named ../../x, which preset java does not pass on"},
		{"billion laughs", "", map[string]string{"pom.xml": pomXML(`<artifactId>${a}</artifactId><version>1</version><properties>` + laughs() + `</properties>`)}, "cannot tell the name of the jar pom.xml builds: more than 256 property references"},
		{"loop", "", map[string]string{"pom.xml": pomXML(`<artifactId>${a}</artifactId><version>1</version><properties><a>${b}</a><b>${a}</b></properties>`)}, "more than 10 levels deep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := fill(t, tc.stagefile, tc.files)
			var list spec.Errors
			assert.Assert(t, errors.As(err, &list), "%v", err)
			assert.Check(t, is.ErrorContains(err, tc.want))
		})
	}
}

// laughs are properties that double at each level: ${a} would be 2^9 x, over maxRefs.
func laughs() string {
	var b strings.Builder
	for i := range 9 {
		b.WriteString("<" + string(rune('a'+i)) + ">${" + string(rune('b'+i)) + "}${" + string(rune('b'+i)) + "}</" + string(rune('a'+i)) + ">")
	}
	return b.String() + "<j>x</j>"
}

func TestImageChecks(t *testing.T) {
	_, warnings, err := fill(t, "image: maven:3.9-eclipse-temurin-17\nrelease:\n  image: eclipse-temurin:11-jre\n", map[string]string{"pom.xml": pomXML(plainPOM)})
	assert.NilError(t, err)
	var msgs []string
	for _, w := range warnings {
		if w.Rule == JavaVersionMismatch {
			msgs = append(msgs, w.Error())
		}
	}
	assert.Assert(t, is.Len(msgs, 2), "%v", warnings)
	assert.Check(t, is.Contains(msgs[0], "Stagefile:3:8: maven:3.9-eclipse-temurin-17 has Java jdk-17.0.5+11, but pom.xml maven.compiler.release 21"))
	assert.Check(t, is.Contains(msgs[1], "eclipse-temurin:11-jre has Java jdk-11.0.5+11"))

	p, _, err := fill(t, "", map[string]string{"pom.xml": pomXML(strings.Replace(plainPOM, ">21<", ">22<", 1))})
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Image.Value, "maven:3-eclipse-temurin-25"), "a release between long-term ones runs on the next")
}

func TestScript(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		i    int
	}{
		{[]string{"java", "-XX:MaxRAMPercentage=75", "-jar", "app.jar"}, 3},
		{[]string{"/opt/java/openjdk/bin/java", "-jar", "x.jar", "--port=1"}, 2},
		{[]string{"java", "-cp", "a.jar", "Main"}, 0},
		{[]string{"java", "Main"}, 0},
		{[]string{"java", "-jar"}, 0},
		{[]string{"node", "-jar", "x"}, 0},
	} {
		i, _, ok := Provider{}.Script(tc.argv)
		assert.Check(t, is.Equal(i, tc.i), "%v", tc.argv)
		assert.Check(t, is.Equal(ok, tc.i > 0), "%v", tc.argv)
	}
}

func TestSettings(t *testing.T) {
	files := map[string]string{"pom.xml": pomXML(plainPOM), ".mvn/maven.config": "-s .mvn/settings.xml -Dx=1\n",
		".mvn/settings.xml": "<settings><servers><server><id>corp</id><username>ci</username><password>hunter2</password></server></servers></settings>"}
	p, warnings, err := fill(t, "", files)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Dependencies.Config), []string{".mvn/maven.config", ".mvn/settings.xml"}))
	assert.Assert(t, is.Len(warnings, 1))
	assert.Check(t, is.Equal(warnings[0].Rule, plan.TokenInManifests))
	assert.Check(t, is.Contains(warnings[0].Error(), ".mvn/settings.xml holds a <password> committed to the repository"))
	assert.Check(t, !strings.Contains(warnings[0].Error(), "hunter2"))

	files[".mvn/settings.xml"] = "<settings><servers><server><id>corp</id><password>${env.MAVEN_PASSWORD}</password></server></servers></settings>"
	_, warnings, err = fill(t, "", files)
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
}

// TestLocalParent: a parent pom in the context that is no module is a
// manifest and is in the skeleton, where Maven finds it by relativePath;
// its properties, plugins and finalName apply to the child.
func TestLocalParent(t *testing.T) {
	files := map[string]string{
		"pom.xml": pomXML(`<parent><groupId>g</groupId><artifactId>base</artifactId><version>3</version><relativePath>build/base</relativePath></parent>
<artifactId>svc</artifactId>`),
		"build/base/pom.xml": pomXML(`<groupId>g</groupId><artifactId>base</artifactId><version>3</version><packaging>pom</packaging>
<properties><maven.compiler.release>11</maven.compiler.release><main>g.Svc</main></properties>
<build><finalName>${project.artifactId}</finalName><plugins><plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive><manifest><mainClass>${main}</mainClass></manifest></archive></configuration></plugin></plugins></build>`),
	}
	p, warnings, err := fill(t, "", files)
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.Equal(p.Image.Value, "maven:3-eclipse-temurin-11"))
	assert.Check(t, is.Equal(p.Image.Origin.From, "a JDK and Maven for build/base/pom.xml maven.compiler.release 11"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Dependencies.Manifests), []string{"pom.xml", "build/base/pom.xml"}))
	assert.Check(t, is.Contains(strings.Join(p.Dependencies.Production.Argv[0], " "), "stagefile-skeleton . build/base -- mvn"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"target/svc.jar", "target/dependency"}))
	assert.Check(t, is.Equal(p.Release.Entrypoint.Value[len(p.Release.Entrypoint.Value)-1], "g.Svc"))
}
