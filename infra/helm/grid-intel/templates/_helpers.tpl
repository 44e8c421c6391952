{{- define "grid-intel.labels" -}}
app.kubernetes.io/part-of: grid-intel
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "grid-intel.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/name: {{ .component }}
{{- end }}

{{- define "grid-intel.image" -}}
{{- if or (not .Values.image.tag) (eq (toString .Values.image.tag) "latest") -}}
{{- fail "image.tag must be an immutable version or git SHA, not empty or latest" -}}
{{- end -}}
{{ printf "%s:%s" .Values.image.repository (toString .Values.image.tag) }}
{{- end }}

{{/* The settings every platform container reads: the ConfigMap and the Secret. */}}
{{- define "grid-intel.envFrom" -}}
- configMapRef:
    name: {{ .Values.envConfigMapName }}
- secretRef:
    name: {{ .Values.secretName }}
{{- end }}

{{- define "grid-intel.podDefaults" -}}
serviceAccountName: {{ .Values.serviceAccount.name }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: state
    emptyDir: {}
{{- end }}
