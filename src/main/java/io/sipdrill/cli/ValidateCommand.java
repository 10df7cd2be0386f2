package io.sipdrill.cli;

import io.sipdrill.roles.Roles;
import io.sipdrill.scenario.Scenario;
import io.sipdrill.scenario.ScenarioException;
import io.sipdrill.scenario.ScenarioLoader;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check scenario files without sending anything.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SCENARIO", description = "A .conf file or a bundled name")
    List<String> scenarios;

    @Override
    public Integer call() {
        ScenarioLoader loader = new ScenarioLoader(Roles.NAMES);
        int bad = 0;
        for (String s : scenarios) {
            try {
                Scenario scenario = loader.load(s);
                System.out.println("ok    " + scenario.file() + " (" + scenario.steps().size() + " steps, peer "
                        + scenario.peer() + ")");
            } catch (ScenarioException e) {
                System.err.println("sipdrill: " + e.getMessage());
                bad++;
            }
        }
        return bad == 0 ? ExitCode.PASS : ExitCode.BAD_INPUT;
    }
}
