{{/*
Names and labels shared by every template.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "live-tables.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/*
The prefix of object names: fullnameOverride, else "<release>-<chart>", else the release name
when it already contains the chart name. Kept short so "<fullname>-operator-test" fits 63.
*/}}
{{- define "live-tables.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The operator's Deployment, Service, (Cluster)Role and bindings. */}}
{{- define "live-tables.operatorName" -}}
{{- printf "%s-operator" (include "live-tables.fullname" .) -}}
{{- end -}}

{{- define "live-tables.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The labels a selector uses: never change them in an upgrade. */}}
{{- define "live-tables.selectorLabels" -}}
app.kubernetes.io/name: {{ include "live-tables.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* The standard app.kubernetes.io labels, without the component. */}}
{{- define "live-tables.commonLabels" -}}
helm.sh/chart: {{ include "live-tables.chart" . }}
app.kubernetes.io/name: {{ include "live-tables.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: live-tables
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The labels of every object of the operator. */}}
{{- define "live-tables.labels" -}}
{{ include "live-tables.commonLabels" . }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "live-tables.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "live-tables.operatorName" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "live-tables.operatorImage" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "live-tables.dataplaneImage" -}}
{{- printf "%s:%s" .Values.dataplane.image.repository (default .Chart.AppVersion .Values.dataplane.image.tag) -}}
{{- end -}}

{{/* The metrics Service's in-cluster URL (the helm test and NOTES use it). */}}
{{- define "live-tables.metricsUrl" -}}
{{- printf "http://%s.%s.svc:%d" (include "live-tables.operatorName" .) .Release.Namespace (int .Values.metrics.port) -}}
{{- end -}}
