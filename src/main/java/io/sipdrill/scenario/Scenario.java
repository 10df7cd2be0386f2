package io.sipdrill.scenario;

import java.util.List;
import java.util.Map;

/**
 * One scenario, validated and immutable: what behaviour it asserts and on what authority, its
 * variables, how requests the peer sends are answered, and the steps to play.
 *
 * @param peer      the built-in role `demo` plays it against
 * @param demoVars  variables `demo` sets (may use the addresses of the roles it started)
 * @param answers   status for requests the peer sends that no step answers (by method)
 */
public record Scenario(String name, String file, String asserts, String source, String peer,
                       Map<String, String> vars, Map<String, String> demoVars,
                       Map<String, Integer> answers, List<Step> steps) {
}
