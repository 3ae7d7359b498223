"""Golden renderings of the Jinja features chat templates use, in transformers' own environment.

Each case is a small template and its context, rendered by transformers' _compile_jinja_template
(jinja2's ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks, loop controls, its tojson,
raise_exception and strftime_now); an error is recorded as its message. The Java engine
(text module, io.llmft.text.jinja) must render each the same: JinjaFeaturesTest.

Writes text/src/test/resources/chat-templates/jinja-features.json. Run from the repository root:

  pip install transformers jinja2
  python3 tools/golden/jinja_features.py
"""
import json
import os

from transformers.utils.chat_template_utils import _compile_jinja_template

MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi there"},
    {"role": "assistant", "content": "Hello!", "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}]},
    {"role": "user", "content": "  bye  "},
]

CASES = [
    ("namespace", "{% set ns = namespace(n=0, last=messages|length - 1) %}{% for m in messages %}{% if m.role == 'user' %}{% set ns.n = ns.n + 1 %}{% endif %}{% endfor %}{{ ns.n }}/{{ ns.last }}", {}),
    ("loop_vars", "{% for m in messages %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{% if not loop.last %},{% endif %}{% endfor %}", {}),
    ("loop_scope", "{% set x = 'out' %}{% for m in messages %}{% set x = m.role %}{% endfor %}{{ x }}", {}),
    ("loop_filter_else", "{% for m in messages if m.role == 'tool' %}{{ m }}{% else %}none{% endfor %}|{% for m in messages if m.role == 'user' %}{{ loop.index }}{% endfor %}", {}),
    ("slices", "{{ messages[1:]|length }} {{ messages[::-1][0].role }} {{ messages[-1].content }} {{ messages[1:3]|map(attribute='role')|join(',') }} {{ 'abcdef'[1:4] }} {{ 'abcdef'[::-2] }} {{ [1,2,3,4,5][-2:] }}", {}),
    ("string_methods", "{{ 'Hello'.startswith('He') }} {{ 'Hello'.endswith(('x', 'lo')) }} {{ 'a,b,,c'.split(',') }} {{ '  a b  c '.split() }} {{ '\n\nx\n'.strip() }}|{{ '\n\nx\n'.lstrip('\n') }}|{{ 'xyx'.rstrip('x') }}|{{ 'ab'.upper() }} {{ 'a-b'.replace('-', '+') }} {{ 'a</think>b'.split('</think>')[-1] }}", {}),
    ("filters", "{{ messages|selectattr('role', 'equalto', 'user')|map(attribute='content')|join('|') }} {{ messages|rejectattr('role', 'equalto', 'user')|list|length }} {{ messages|first|tojson }} {{ '  x '|trim }} {{ none|default('d') }} {{ undefined_name|default('d') }} {{ ''|default('e', true) }} {{ [3,1,2]|sort }} {{ 'abc'|upper }} {{ [1,1,2]|unique|list }} {{ 42|string ~ '!' }}", {}),
    ("tests", "{{ messages[2].tool_calls is defined }} {{ messages[0].tool_calls is defined }} {{ none is none }} {{ 'x' is string }} {{ 3 is string }} {{ 3 is number }} {{ {} is mapping }} {{ false is false }} {{ x is undefined }} {{ 2 is even }} {{ messages[0].tool_calls is not none }}", {}),
    ("tojson", "{{ {'a': [1, 2.5, true, none], 'ü': 'é\"\\\\\n', 'e': 1e-05, 'big': 1e16, 'f': 0.1, 'i': -0.0}|tojson }}|{{ {'b': 1, 'a': {'c': []}}|tojson(indent=2) }}|{{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }}|{{ 'ü'|tojson(ensure_ascii=true) }}|{{ [1, {'x': 'y'}]|tojson(separators=(',', ':')) }}|{{ {}|tojson }}{{ []|tojson(indent=4) }}", {}),
    ("arith_and_strings", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 'ab' * 3 }} {{ 1 + 2.0 }} {{ 'a' ~ 1 ~ none }} {{ [1] + [2] }} {{ 'b' in 'abc' }} {{ 'x' not in ['x'] }} {{ 1 == 1.0 }} {{ true == 1 }}", {}),
    ("printing", "{{ none }} {{ true }} {{ [1, 'a', none, {'k': false}] }} {{ 1.0 }} {{ 2.50 }} {{ 1e20 }} {{ \"it's\" }} {{ {'a': 'b'}.items()|list }}", {}),
    ("whitespace", "a  \n  {%- if true -%}  \n b \n {%- endif %}\n  {% if true %}\n  c\n  {% endif %}\n{# note #}\nd {{- ' e ' -}} f\n  {%+ if true %}g{% endif %}", {}),
    ("dict_access", "{% set d = {'content': 'c', 'items': 'i'} %}{{ d.content }} {{ d['items'] }} {{ d.get('missing', 'm') }} {{ d.get('content') }} {% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{{ d.keys()|list }}", {}),
    ("conditional_expr", "{{ 'y' if messages else 'n' }} {{ 'y' if [] else 'n' }} {{ ('a' if false) ~ '|' }}", {}),
    ("macro", "{% macro say(who, greeting='Hi') %}{{ greeting }}, {{ who }}{% endmacro %}{{ say('Ann') }} / {{ say('Bo', greeting='Yo') }}", {}),
    ("break_continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %} {{ range(3)|list }} {{ range(1, 7, 2)|list }}", {}),
    ("set_block_and_unpack", "{% set a, b = [1, 2] %}{% set block %}x{{ a + b }}y{% endset %}{{ block }}", {}),
    ("raise", "{% if messages[0].role != 'user' %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}", {}),
    ("kwargs", "{{ enable_thinking is defined and enable_thinking is false }} {{ date_string|default('26 Jul 2024') }} {{ bos_token }}", {"enable_thinking": False, "bos_token": "<s>"}),
    ("undefined_attribute_error", "{{ nothing.attr }}", {}),
    ("generation_block", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% endif %}{% endfor %}", {}),
]


def main():
    out = []
    for name, source, extra in CASES:
        context = {"messages": MESSAGES}
        context.update(extra)
        try:
            text = _compile_jinja_template(source).render(**context)
            out.append({"name": name, "template": source, "context": context, "text": text})
        except Exception as e:  # the Java side must fail too, with the template's own message for raise
            out.append({"name": name, "template": source, "context": context, "error": type(e).__name__, "message": str(e)})
    path = os.path.join("text", "src", "test", "resources", "chat-templates", "jinja-features.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"about": "tools/golden/jinja_features.py", "cases": out}, f, indent=1, ensure_ascii=False)
    print(len(out), "cases")


if __name__ == "__main__":
    main()
