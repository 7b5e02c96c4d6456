package io.tributary.cep.rules;

import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void scratch() {
        String rule = """
                id: rebuffering-storm
                version: 1
                description: three stalls
                severity: HIGH
                owner: qoe
                input: [BUFFER_START, PLAY]
                key: sessionId
                within: 60s
                afterMatch: skipPastLastEvent
                pattern:
                  - begin: play
                    type: PLAY
                  - followedBy: stalls
                    type: BUFFER_START
                    where: event.sessionId == play.sessionId && event.positionMs > 10
                    timesOrMore: 3
                    greedy: true
                alert:
                  summary: "Session ${stalls.sessionId} stalled ${stalls.count} times"
                  fields:
                    cdn: "${play.cdn}"
                """;
        RuleLoader.Loaded loaded = RuleLoader.loadText("storm.yaml", rule);
        System.out.println(loaded.problems());
        System.out.println(loaded.rules());
        String bad = """
                id: Bad_Id
                version: 0
                description: x
                severity: SEVERE
                owner: qoe
                input: [BUFFER_START]
                key: sessionid
                within: -5s
                colour: red
                pattern:
                  - begin: a
                    where: event.positionMs > 'x'
                  - followedBy: b
                    where: c.sessionId == event.nosuch
                    greedy: true
                  - notFollowedBy: c
                alert:
                  summary: "x ${a.nosuch} ${unknown.x}"
                """;
        RuleLoader.Loaded l2 = RuleLoader.loadText("bad.yaml", bad);
        l2.problems().forEach(System.out::println);
        String bad2 = """
                id: ok-id
                version: 1
                description: x
                severity: HIGH
                owner: qoe
                input: [BUFFER_START]
                key: sessionid
                pattern:
                  - begin: a
                    where: event.positionMs > 'x'
                  - followedBy: b
                    where: c.sessionId == event.nosuch
                    greedy: true
                  - notFollowedBy: c
                alert:
                  summary: "x ${a.nosuch} ${unknown.x}"
                """;
        RuleLoader.loadText("bad2.yaml", bad2).problems().forEach(System.out::println);
        RuleLoader.loadText("bad3.yaml", "id: [unclosed\n  x: y").problems().forEach(System.out::println);
    }
}
