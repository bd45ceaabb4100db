"""The report page's Jinja2 template (HTML, autoescaped; ``_report_page`` renders it).

Kept as a module rather than a template file so that every install of hpsearch carries it
with the code (a wheel takes ``.py`` files without further package-data configuration).
"""

# Marks a page as a report's: the next report replaces it (and its figures) without --force.
GENERATOR = '<meta name="generator" content="hpsearch report">'
PAGE = """\
{%- macro table(t) -%}
<table><thead><tr>
{%- for head in t.head -%}
<th{% if loop.index0 in t.left %} class="text"{% endif %}>{{ head }}</th>
{%- endfor -%}
</tr></thead><tbody>
{%- for row in t.rows -%}
<tr{% if row.css %} class="{{ row.css }}"{% endif %}>
{%- for cell in row.cells -%}
<td{% if loop.index0 in t.left %} class="text"{% endif %}
{%- if cell.bar is not none %} style="--w:{{ '%.0f' % (cell.bar * 100) }}%" data-bar{% endif -%}
>{{ cell.text }}</td>
{%- endfor -%}
</tr>
{%- endfor -%}
</tbody></table>
{%- endmacro -%}

{%- macro figure(f) -%}
<figure><h2>{{ f.title }}</h2><img src="{{ f.file }}" alt="{{ f.title }}">
<figcaption>{{ f.caption }}</figcaption></figure>
{%- endmacro -%}

<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
""" + GENERATOR + """
<title>hpsearch report: {{ study }}</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       margin: 0 auto; max-width: 1100px; padding: 1.5em 2em 3em; color: #222; }
h1 { margin-bottom: .1em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
.sub { color: #666; margin-top: 0; }
.headline { font-size: 1.1em; padding: .7em 1em; border-radius: 6px; background: #eef4fb;
            border-left: 5px solid #1f77b4; }
.headline.bad { background: #fdeeee; border-left-color: #d62728; }
.chip { display: inline-block; padding: .1em .6em; margin-right: .4em; border-radius: 1em;
        font-size: .9em; color: white; }
.COMPLETE { background: #1f77b4; } .PRUNED { background: #e8872a; }
.FAIL { background: #d62728; } .RUNNING { background: #2ca02c; } .WAITING { background: #888; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { padding: .3em .7em; border-bottom: 1px solid #e5e5e5; text-align: right; }
.text { text-align: left; }
tr.reference td { color: #777; }
td[data-bar] { background: linear-gradient(to right, #c6dbef var(--w), transparent var(--w)); }
figure { margin: 1.4em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: .92em; }
.notes li { color: #8a5a00; }
code { background: #f4f4f4; padding: 0 .3em; border-radius: 3px; }
footer { margin-top: 3em; color: #999; font-size: .85em; }
</style></head><body>
<h1>Study {{ study }}</h1>
<p class="sub">{{ task }} classification, {{ n_classes }} classes;
{{- " " }}objective {{ metric }} ({{ direction }}); pruner {{ pruner }}, sampler {{ sampler }},
{{- " " }}up to {{ max_epochs }} epochs; budget {{ budget }}; created {{ created }}.</p>
<p class="headline{% if bad %} bad{% endif %}">{{ headline }}</p>
{% if counts -%}
<p>
{%- for state, n in counts -%}
<span class="chip {{ state }}">{{ state | lower }} {{ n }}</span>
{%- endfor -%}
</p>
{%- endif %}
{% if best -%}
<h2>Best trial: {{ best.number }}</h2>
<p>{{ metric }} = {{ best.value }} ({{ best.facts | join('; ') }}).
{%- for sentence in best.versus %} {{ sentence }}{% endfor %}</p>
{{ table(best.table) }}
<p><small>* the objective.</small> Parameters:
{%- for name, value in best.params %} <code>{{ name }}={{ value }}</code>
{%- if not loop.last %},{% endif %}{% endfor %}</p>
{%- endif %}
{% if families %}<h2>Time by model family</h2>{{ table(families) }}{% endif %}
{% for f in study_figures %}{{ figure(f) }}
{% endfor -%}
{% if per_class -%}
<h2>{{ per_class.title }}</h2>
{%- if per_class.table %}
<p>On the validation rows; support is the number of rows with the {{ per_class.word }}.
Weakest: <b>{{ per_class.weakest }}</b> (F1 {{ per_class.weakest_f1 }}).</p>
{{ table(per_class.table) }}
{%- else %}
<p>Trial {{ per_class.trial }} recorded no per-{{ per_class.word }} metrics.</p>
{%- endif %}
{%- endif %}
{% for f in best_figures %}{{ figure(f) }}
{% endfor -%}
{% if running %}<h2>Running now</h2>{{ table(running) }}{% endif %}
{% if failures %}<h2>Failures ({{ n_failures }})</h2>{{ table(failures) }}{% endif %}
{% if notes %}<h2>Not shown</h2><ul class="notes">
{%- for note in notes %}<li>{{ note }}</li>{% endfor %}</ul>{% endif %}
<footer>Written by hpsearch with optuna {{ optuna_version }} at {{ written_at }}.</footer>
</body></html>
"""
