package io.llmft.contract;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One later stage of a pipeline: its stage name and its job body (ids may be left unset). */
public record PipelineStep(Stage stage, ObjectNode job) {}
