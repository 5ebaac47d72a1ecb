package java

import (
	"path"
	"strings"

	"github.com/stagefile/stagefile/plan"
)

// Ecosystem: Maven and Gradle start an app (spring-boot:run, exec:java,
// bootRun) in a JVM of their own, without passing signals on; the local
// repositories are never a manifest or an output; Maven's settings hold
// repository passwords.
func (Provider) Ecosystem() plan.Ecosystem {
	return plan.Ecosystem{
		Launchers:      []string{"mvn", "mvnw", "gradle", "gradlew"},
		StartExample:   "[java, -jar, target/app.jar]",
		DependencyDirs: []string{".m2", ".gradle"},
		CredentialFiles: []plan.CredentialFile{
			{Name: "settings.xml", SecretAdvice: "mount it as a secret for the dependency step, the tests and the build (secrets: [{id: maven_settings, target: /root/.m2/settings.xml, steps: [install, test, build]}]): the offline steps need its mirrors too"},
			{Name: "settings-security.xml"},
			{Name: "gradle.properties"},
		},
		Aliases: []string{"maven", "mvn", "jvm", "kotlin", "gradle", "spring", "spring-boot"},
	}
}

// Script finds the jar java runs: java [options] -jar FILE; none for a
// main class on a class path.
func (Provider) Script(argv []string) (int, []string, bool) {
	if len(argv) == 0 || path.Base(argv[0]) != "java" {
		return 0, nil, false
	}
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; {
		case a == "-jar":
			if i+1 < len(argv) {
				return i + 1, []string{""}, true
			}
			return 0, nil, false
		case a == "-cp" || a == "-classpath" || a == "--class-path" || a == "-p" || a == "--module-path" || a == "-m" || a == "--module":
			return 0, nil, false // a class or a module, not a file
		case strings.HasPrefix(a, "-"):
		default:
			return 0, nil, false // a main class
		}
	}
	return 0, nil, false
}
