package io.llmft.scoring.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class BookJudgePromptTest {
  @Test
  void promptIsTheBooks() throws Exception {
    var entry =
        new ObjectMapper()
            .readTree(
                "{\"instruction\": \"Rewrite the sentence using a simile.\", \"input\": \"The car is very fast.\","
                    + " \"output\": \"The car is as fast as lightning.\", \"model_response\": \"The car is as fast as a bullet.\"}");
    assertEquals(
        "Given the input `Below is an instruction that describes a task. Write a response that appropriately completes the request."
            + "\n\n### Instruction:\nRewrite the sentence using a simile.\n\n### Input:\nThe car is very fast.` "
            + "and correct output `The car is as fast as lightning.`, "
            + "score the model response `The car is as fast as a bullet.` on a scale from 0 to 100, where 100 is the best score. "
            + "Respond with the integer number only.",
        BookJudgePrompt.prompt(entry, "model_response"));
  }

  @Test
  void aConversationIsShownAsItsTurnsThroughTheLastUserTurnAndTheAnswerAfterIt() throws Exception {
    var entry =
        new ObjectMapper()
            .readTree(
                "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                    + " {\"role\": \"user\", \"content\": \"Name a colour.\"},"
                    + " {\"role\": \"assistant\", \"content\": \"Blue.\"},"
                    + " {\"role\": \"user\", \"content\": \"Another?\"},"
                    + " {\"role\": \"assistant\", \"content\": \"Green.\"}],"
                    + " \"model_response\": \"Red.\"}");
    assertEquals(
        "Given the input `system: Be brief.\nuser: Name a colour.\nassistant: Blue.\nuser: Another?` "
            + "and correct output `Green.`, "
            + "score the model response `Red.` on a scale from 0 to 100, where 100 is the best score. "
            + "Respond with the integer number only.",
        BookJudgePrompt.prompt(entry, "model_response"));
  }

  @Test
  void scoresParseLikePythonIntWithinZeroToHundred() {
    assertEquals(OptionalInt.of(85), BookJudgePrompt.parse("85"));
    assertEquals(OptionalInt.of(42), BookJudgePrompt.parse(" 42\n"));
    assertEquals(OptionalInt.of(0), BookJudgePrompt.parse("0"));
    assertEquals(OptionalInt.of(100), BookJudgePrompt.parse("+100"));
    assertEquals(OptionalInt.empty(), BookJudgePrompt.parse("85."));
    assertEquals(OptionalInt.empty(), BookJudgePrompt.parse("The score is 85"));
    assertEquals(OptionalInt.empty(), BookJudgePrompt.parse("101"));
    assertEquals(OptionalInt.empty(), BookJudgePrompt.parse("-3"));
    assertEquals(OptionalInt.empty(), BookJudgePrompt.parse(""));
  }
}
